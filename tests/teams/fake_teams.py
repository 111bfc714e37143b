"""A fake Microsoft cloud for the Teams tests: Bot Connector, identity, OpenID keys and Graph.

It answers through respx (httpx's transport), keeps a transcript of what the bot sent, and signs
inbound tokens with a locally generated RSA key.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import httpx
import jwt
import respx
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.teams.card_rules import assert_fit_for_teams

APP_ID = "5f0c2a7e-3b7d-4c1e-9a55-0d7f3b2c9e11"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SERVICE_URL = "https://smba.test/teams"
OPENID_URL = "https://login.botframework.test/v1/.well-known/openidconfiguration"
JWKS_URL = "https://login.botframework.test/v1/.well-known/keys"
ISSUER = "https://api.botframework.com"
LOGIN_URL = "https://login.test"
GRAPH_URL = "https://graph.test/v1.0"
CALENDAR_USER = "mdt@council.test"
BOT_ID = f"28:{APP_ID}"
CHANNEL = "19:a1b2c3d4e5@thread.tacv2"
GROUP_CHAT = "19:group-chat-7a8b@thread.v2"


def new_key() -> rsa.RSAPrivateKey:
    """A fresh RSA signing key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str]) -> dict[str, Any]:
    """The public half of a key as a JWK, with the Bot Framework's endorsements."""
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "endorsements": endorsements}


@dataclass(frozen=True)
class User:
    """A Teams user: Teams id, Entra object id, name, email."""

    teams_id: str
    aad: str
    name: str
    email: str

    def account(self) -> dict[str, str]:
        """As an activity's `from`."""
        return {"id": self.teams_id, "aadObjectId": self.aad, "name": self.name}


PRIYA = User(
    "29:1priya", "0a000000-0000-4000-8000-000000000001", "Priya Shah", "priya@council.test"
)
TOM = User("29:1tom", "0a000000-0000-4000-8000-000000000002", "Tom Reed", "tom@housing.test")
NURSE = User(
    "29:1nurse", "0a000000-0000-4000-8000-000000000003", "Ward Seven Nurse", "nurse@nhs.test"
)
STRANGER = User(
    "29:1stranger", "0a000000-0000-4000-8000-000000000004", "Sam Stranger", "sam@else.test"
)
PEOPLE = (PRIYA, TOM, NURSE, STRANGER)


@dataclass
class Sent:
    """One call the bot made to the Bot Connector."""

    method: str
    conversation: str
    reply_to: str | None
    activity: dict[str, Any]
    id: str

    def card(self) -> dict[str, Any]:
        """The Adaptive Card in the activity."""
        return next(
            a["content"]
            for a in self.activity.get("attachments", [])
            if a["contentType"] == "application/vnd.microsoft.card.adaptive"
        )

    def text(self) -> str:
        """The card's text blocks, joined."""
        return "\n\n".join(b.get("text", "") for b in self.card()["body"])


@dataclass
class FakeTeams:
    """Plays the Microsoft side; keeps what was sent and counts token requests."""

    signing_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "key-1"
    endorsements: list[str] = field(default_factory=lambda: ["msteams"])
    sent: list[Sent] = field(default_factory=list)
    conversations_created: list[dict[str, Any]] = field(default_factory=list)
    graph_calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    token_requests: int = 0
    jwks_requests: int = 0
    blocked: set[str] = field(default_factory=set)
    failures: list[int] = field(default_factory=list)
    graph_failures: list[int] = field(default_factory=list)
    extra_keys: list[dict[str, Any]] = field(default_factory=list)
    clock: Callable[[], datetime] = lambda: datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    _ids: Any = field(default_factory=lambda: itertools.count(1000))

    # Inbound tokens ---------------------------------------------------------------------

    def token(self, **overrides: Any) -> str:
        """A Bot Framework token as the Bot Connector would send it."""
        now = int(self.clock().timestamp())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": APP_ID,
            "exp": now + 3600,
            "nbf": now - 60,
            "serviceurl": SERVICE_URL,
        }
        claims.update(overrides.pop("claims", {}))
        for name in [k for k, v in claims.items() if v is None]:
            del claims[name]
        key = overrides.pop("key", self.signing_key)
        kid = overrides.pop("kid", self.kid)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    # The Microsoft endpoints ------------------------------------------------------------

    def install(self, router: respx.Router) -> None:
        """Answer every Microsoft endpoint the bot calls."""
        router.get(OPENID_URL).mock(
            return_value=httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "jwks_uri": JWKS_URL,
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            )
        )
        router.get(JWKS_URL).mock(side_effect=self._jwks)
        router.get(f"{LOGIN_URL}/{TENANT}/v2.0/.well-known/openid-configuration").mock(
            return_value=httpx.Response(
                200,
                json={
                    "authorization_endpoint": f"{LOGIN_URL}/{TENANT}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{LOGIN_URL}/{TENANT}/oauth2/v2.0/token",
                    "issuer": f"{LOGIN_URL}/{TENANT}/v2.0",
                },
            )
        )
        router.post(f"{LOGIN_URL}/{TENANT}/oauth2/v2.0/token").mock(side_effect=self._token)
        router.route(host="smba.test").mock(side_effect=self._connector)
        router.route(host="graph.test").mock(side_effect=self._graph)

    def _jwks(self, _request: httpx.Request) -> httpx.Response:
        self.jwks_requests += 1
        keys = [public_jwk(self.signing_key, self.kid, self.endorsements), *self.extra_keys]
        return httpx.Response(200, json={"keys": keys})

    def _token(self, request: httpx.Request) -> httpx.Response:
        self.token_requests += 1
        form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
        assert form["grant_type"] == "client_credentials"
        scope = unquote(form["scope"])
        return httpx.Response(
            200,
            json={
                "access_token": f"token-{self.token_requests}-{scope.split('/')[2]}",
                "token_type": "Bearer",
                "expires_in": 3599,
            },
        )

    def _connector(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Bearer token-")
        path = request.url.raw_path.decode().split("?")[0]
        prefix = "/teams/v3/conversations"
        assert path.startswith(prefix), path
        rest = path[len(prefix) :]
        if request.method == "POST" and rest == "":
            body = json.loads(request.content)
            self.conversations_created.append(body)
            member = body["members"][0]["id"]
            if member in self.blocked:
                return self._blocked()
            return httpx.Response(201, json={"id": f"a:personal-{member}"})
        parts = [unquote(p) for p in rest.strip("/").split("/")]
        conversation = parts[0]
        if request.method == "GET" and parts[1] == "members":
            return self._member(parts[2])
        if self.failures:
            status = self.failures.pop(0)
            headers = {"Retry-After": "2"} if status == 429 else {}
            return httpx.Response(status, json={"error": {"code": "Busy"}}, headers=headers)
        if conversation.removeprefix("a:personal-") in self.blocked:
            return self._blocked()
        activity = json.loads(request.content)
        assert_fit_for_teams(activity)
        new_id = str(next(self._ids))
        reply_to = parts[2] if len(parts) > 2 else None
        self.sent.append(Sent(request.method, conversation, reply_to, activity, new_id))
        return httpx.Response(200, json={"id": new_id})

    @staticmethod
    def _blocked() -> httpx.Response:
        return httpx.Response(
            403,
            json={
                "error": {
                    "code": "ConversationBlockedByUser",
                    "message": "User blocked the conversation with the bot.",
                }
            },
        )

    @staticmethod
    def _member(member_id: str) -> httpx.Response:
        for user in PEOPLE:
            if member_id.lower() in {user.teams_id, user.aad, user.email}:
                return httpx.Response(
                    200,
                    json={
                        "id": user.teams_id,
                        "aadObjectId": user.aad,
                        "name": user.name,
                        "email": user.email,
                        "userPrincipalName": user.email,
                    },
                )
        return httpx.Response(404, json={"error": {"code": "MemberNotFoundInConversation"}})

    def _graph(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Bearer token-")
        assert request.headers["authorization"].endswith("graph.test")
        body = json.loads(request.content) if request.content else {}
        path = request.url.path
        self.graph_calls.append((request.method, path, body))
        if self.graph_failures:
            return httpx.Response(self.graph_failures.pop(0), json={"error": {"code": "Denied"}})
        if request.method == "POST" and path.endswith("/events"):
            return httpx.Response(
                201,
                json={
                    "id": "AAMkEvent1",
                    "onlineMeeting": {"joinUrl": "https://teams.test/l/meetup-join/1"},
                },
            )
        if re.search(r"/events/[^/]+/cancel$", path):
            return httpx.Response(202)
        return httpx.Response(200, json={"id": "AAMkEvent1"})

    # Reading the transcript -------------------------------------------------------------

    def to(self, conversation: str) -> list[Sent]:
        """What was sent into one conversation (a reply chain counts as its channel)."""
        return [s for s in self.sent if s.conversation.split(";messageid=")[0] == conversation]

    def texts(self, conversation: str | None = None) -> list[str]:
        """The card texts sent, in order."""
        sent = self.sent if conversation is None else self.to(conversation)
        return [s.text() for s in sent]

    def take(self) -> list[Sent]:
        """What was sent since the last take."""
        taken, self.sent = self.sent, []
        return taken
