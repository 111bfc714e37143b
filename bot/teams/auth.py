"""Inbound authentication: the Bot Framework's JWT on every request, checked before anything."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

SKEW = timedelta(minutes=5)
METADATA_TTL = timedelta(hours=24)
REFRESH_GAP = timedelta(minutes=1)
ALGORITHMS = ("RS256",)


class AuthError(Exception):
    """The request is refused: `status` 401 (who are you?) or 403 (not for this activity)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def bearer(headers: Mapping[str, str]) -> str:
    """The bearer token of an Authorization header, looked up case-insensitively."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(401, "no bearer token")
    return token.strip()


class SigningKeys:
    """The Bot Framework's OpenID metadata and signing keys, cached; refreshed on a new key id."""

    def __init__(
        self, openid_url: str, client: httpx.Client, clock: Callable[[], datetime]
    ) -> None:
        self.openid_url = openid_url
        self.client = client
        self.clock = clock
        self.issuer: str | None = None
        self._keys: dict[str, tuple[Any, list[str]]] = {}
        self._jwks_uri: str | None = None
        self._fetched_at: datetime | None = None
        self._lock = threading.Lock()

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self.client.get(url, timeout=10.0)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            raise AuthError(401, "signing keys unavailable") from None
        if not isinstance(document, dict):
            raise AuthError(401, "signing keys unavailable")
        return document

    def _refresh(self) -> None:
        metadata = self._get_json(self.openid_url)
        jwks_uri = metadata.get("jwks_uri")
        issuer = metadata.get("issuer")
        if not isinstance(jwks_uri, str) or not isinstance(issuer, str):
            raise AuthError(401, "OpenID metadata without jwks_uri or issuer")
        keys: dict[str, tuple[Any, list[str]]] = {}
        for jwk in self._get_json(jwks_uri).get("keys", []):
            if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
                continue
            try:
                key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
                continue
            endorsements = jwk.get("endorsements")
            keys[jwk["kid"]] = (key, [str(e) for e in endorsements or []])
        self.issuer, self._jwks_uri, self._keys = issuer, jwks_uri, keys
        self._fetched_at = self.clock()

    def key(self, kid: str) -> tuple[Any, list[str]]:
        """The public key with this id and the channels it endorses."""
        with self._lock:
            now = self.clock()
            stale = self._fetched_at is None or now - self._fetched_at > METADATA_TTL
            unknown = kid not in self._keys
            if stale or (unknown and now - (self._fetched_at or now) >= REFRESH_GAP):
                self._refresh()
            if kid not in self._keys:
                raise AuthError(401, "token signed by an unknown key")
            return self._keys[kid]


class InboundAuth:
    """Checks a request's token: signature, issuer, audience, time, channel and service URL."""

    def __init__(self, keys: SigningKeys, app_id: str, clock: Callable[[], datetime]) -> None:
        self.keys = keys
        self.app_id = app_id
        self.clock = clock

    def claims(self, headers: Mapping[str, str]) -> dict[str, Any]:
        """The verified claims of the request's token (the activity is not read yet)."""
        token = bearer(headers)
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
            raise AuthError(401, "malformed token") from None
        kid = header.get("kid")
        if header.get("alg") not in ALGORITHMS or not isinstance(kid, str):
            raise AuthError(401, "token not signed with RS256 and a key id")
        key, endorsements = self.keys.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                audience=self.app_id,
                issuer=self.keys.issuer,
                options={
                    "require": ["exp", "iss", "aud"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidAudienceError:
            raise AuthError(401, "token for another audience") from None
        except jwt.InvalidIssuerError:
            raise AuthError(401, "token from another issuer") from None
        except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
            raise AuthError(401, "token signature or claims invalid") from None
        self._check_times(claims)
        claims["_endorsements"] = endorsements
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self.clock().timestamp()
        skew = SKEW.total_seconds()
        expires, not_before = claims.get("exp"), claims.get("nbf")
        if not isinstance(expires, int | float) or now > expires + skew:
            raise AuthError(401, "token expired")
        if not_before is not None and (
            not isinstance(not_before, int | float) or now < not_before - skew
        ):
            raise AuthError(401, "token not yet valid")

    @staticmethod
    def check_activity(claims: Mapping[str, Any], activity: Mapping[str, Any]) -> None:
        """The token was issued for this activity's service URL and channel."""
        claimed = str(claims.get("serviceurl") or claims.get("serviceUrl") or "").rstrip("/")
        actual = str(activity.get("serviceUrl") or "").rstrip("/")
        if not claimed or claimed != actual:
            raise AuthError(403, "serviceurl claim does not match the activity")
        endorsements = claims.get("_endorsements") or []
        channel = str(activity.get("channelId") or "")
        if endorsements and channel not in endorsements:
            raise AuthError(403, "signing key does not endorse this channel")
