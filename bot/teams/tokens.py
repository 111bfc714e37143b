"""App-only tokens from one reused msal application, whose HTTP calls go through httpx."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import httpx
import msal

from bot.config import DEFAULT_TEAMS_LOGIN_URL, Settings

BOT_SCOPE = "https://api.botframework.com/.default"


class TokenError(RuntimeError):
    """No token could be had; the message names the error code, never a secret."""


class HttpxResponse:
    """A requests-like response over an httpx one, as msal reads it."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.text = response.text
        self.headers: Mapping[str, str] = response.headers

    def raise_for_status(self) -> None:
        """Raise for an HTTP error status, as requests does."""
        if self.status_code >= 400:
            raise TokenError(f"HTTP {self.status_code} from the identity service")


class HttpxForMsal:
    """msal's `http_client`: requests-like `get` and `post` made with httpx (so respx sees them)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **_kwargs: Any,
    ) -> HttpxResponse:
        """GET, as msal asks for it."""
        response = self.client.get(url, params=params, headers=headers, timeout=timeout or 10.0)
        return HttpxResponse(response)

    def post(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **_kwargs: Any,
    ) -> HttpxResponse:
        """POST a form (or a body), as msal asks for it."""
        if isinstance(data, Mapping):
            response = self.client.post(
                url, params=params, data=dict(data), headers=headers, timeout=timeout or 10.0
            )
        else:
            response = self.client.post(
                url, params=params, content=data, headers=headers, timeout=timeout or 10.0
            )
        return HttpxResponse(response)

    def close(self) -> None:
        """The httpx client belongs to its owner; nothing to close here."""


class TokenSource:
    """Client-credential tokens for the bot's app, cached by msal until near expiry."""

    def __init__(
        self,
        *,
        app_id: str,
        password: str,
        tenant_id: str,
        login_url: str,
        client: httpx.Client,
    ) -> None:
        self.app_id = app_id
        self._password = password
        self.authority = f"{login_url.rstrip('/')}/{tenant_id}"
        self.default_login = login_url.rstrip("/") == DEFAULT_TEAMS_LOGIN_URL
        self.http = HttpxForMsal(client)
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    def _application(self) -> msal.ConfidentialClientApplication:
        with self._lock:
            if self._app is None:
                extra: dict[str, Any] = {}
                if not self.default_login:
                    extra = {"instance_discovery": False, "validate_authority": False}
                self._app = msal.ConfidentialClientApplication(
                    self.app_id,
                    client_credential=self._password,
                    authority=self.authority,
                    http_client=self.http,
                    **extra,
                )
            return self._app

    def token(self, scope: str = BOT_SCOPE) -> str:
        """An access token for the scope, from msal's cache while it is fresh."""
        try:
            result = self._application().acquire_token_for_client(scopes=[scope])
        except (ValueError, httpx.HTTPError) as error:
            raise TokenError(
                f"the identity service could not be reached ({type(error).__name__})"
            ) from None
        if not isinstance(result, dict) or "access_token" not in result:
            code = result.get("error", "unknown") if isinstance(result, dict) else "unknown"
            raise TokenError(f"no token for {scope}: {code}")
        return str(result["access_token"])


def token_source(settings: Settings, client: httpx.Client) -> TokenSource:
    """The bot's token source for these settings (app id, secret and tenant must be set)."""
    if not (settings.teams_app_id and settings.teams_app_password and settings.teams_tenant_id):
        raise LookupError("Teams is not configured")
    return TokenSource(
        app_id=settings.teams_app_id,
        password=settings.teams_app_password,
        tenant_id=settings.teams_tenant_id,
        login_url=settings.teams_login_url,
        client=client,
    )
