"""Hostile requests to `mdtbot serve`'s Slack and Teams endpoints: each one a 4xx, never a 500,
nothing written, no traceback; bodies refused while they are read, past the limit."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx
from jwt.api_jws import PyJWS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from bot.http_edge import MAX_JSON_DEPTH, RefusedError, loads, read_body
from bot.server import create_app
from bot.slack.app import build_slack_bot
from bot.teams.app import build_teams_bot, teams_endpoint
from commands.core import Core, CoreSettings
from storage.db import Store
from tests.slack.conftest import Clock, serving, slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import SECRET, event_callback, interactive_body, slash_body
from tests.support import snapshot
from tests.teams.conftest import Clock as TeamsClock
from tests.teams.conftest import settings as teams_settings
from tests.teams.fake_teams import APP_ID, ISSUER, PRIYA, SERVICE_URL, FakeTeams
from tests.teams.fake_teams import TENANT as TEAMS_TENANT

LIMIT = 1_000_000
DEEP = "[" * 10_000 + "]" * 10_000
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signed(body: bytes, stamp: str | None = None, secret: str = SECRET) -> dict[str, str]:
    """Slack's signature headers over the raw bytes."""
    stamp = stamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_token(header: Any, claims: Any = None, signature: bytes = b"sig") -> str:
    """A JWT put together by hand, so its header can hold what no library would write."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    body = claims if isinstance(claims, bytes) else json.dumps(claims or {}).encode()
    return f"{b64(head)}.{b64(body)}.{b64(signature)}"


@dataclass
class Edge:
    """The served app with Slack and Teams on, and the fakes behind them."""

    http: httpx.Client
    store: Store
    teams: FakeTeams

    def slack(self, body: bytes, content_type: str | None, headers: dict[str, str]) -> int:
        sent = {"Content-Type": content_type} if content_type else {}
        raw = {k: v.encode("utf-8") for k, v in {**sent, **headers}.items()}
        response = self.http.post("/slack/events", content=body, headers=raw)
        return response.status_code

    def activity(self, **fields: Any) -> dict[str, Any]:
        return {
            "type": "message",
            "id": "act-1",
            "timestamp": "2027-02-01T09:00:00+00:00",
            "serviceUrl": SERVICE_URL,
            "channelId": "msteams",
            "from": PRIYA.account(),
            "recipient": {"id": "28:bot", "name": "MDT"},
            "conversation": {"id": "19:c@thread.tacv2", "tenantId": TEAMS_TENANT},
            "channelData": {"tenant": {"id": TEAMS_TENANT}},
            "text": "mdt help",
            **fields,
        }

    def post_teams(self, body: bytes, authorization: str | None) -> int:
        headers = {"Content-Type": JSON.encode()}
        if authorization is not None:
            headers["Authorization"] = authorization.encode("utf-8")
        return self.http.post("/api/messages", content=body, headers=headers).status_code


def build_app(store: Store, slack: FakeSlack, client: httpx.Client) -> Starlette:
    """The app `mdtbot serve` builds, on fakes of both platforms."""
    settings = slack_settings(slack)
    bot = build_slack_bot(settings, store, Core(store, CoreSettings()), Clock())
    teams_bot = build_teams_bot(teams_settings(), store, client=client, clock=TeamsClock())
    routes = [Route("/api/messages", teams_endpoint(teams_bot, LIMIT), methods=["POST"])]
    return create_app(settings, store, slack=bot, extra_routes=routes)


@pytest.fixture
def edge(store: Store) -> Iterator[Edge]:
    slack = FakeSlack().start()
    cloud = FakeTeams()
    cloud.clock = TeamsClock()
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        cloud.install(router)
        router.route(host="127.0.0.1").pass_through()
        app = build_app(store, slack, httpx.Client())
        with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
            yield Edge(http, store, cloud)
    slack.stop()


SLASH = slash_body("new Review on 4/2/2027 at 10:00", "UPRIYA").encode()
EVENT = json.dumps(event_callback({"type": "app_mention", "text": "hi"})).encode()
BUTTON = interactive_body({"type": "block_actions", "actions": []}).encode()

# (id, body, content type, headers: None to sign the body, else these), expected status
SLACK_CASES: list[tuple[str, bytes, str | None, dict[str, str] | None, int]] = [
    ("timestamp-abc", SLASH, FORM, {**signed(SLASH), "X-Slack-Request-Timestamp": "abc"}, 401),
    (
        "timestamp-missing",
        SLASH,
        FORM,
        {"X-Slack-Signature": signed(SLASH)["X-Slack-Signature"]},
        401,
    ),
    ("timestamp-arabic-digits", SLASH, FORM, signed(SLASH, "\u0661\u0667" + "\u0660" * 8), 401),
    ("timestamp-huge", SLASH, FORM, signed(SLASH, "9" * 40), 401),
    ("timestamp-negative", SLASH, FORM, signed(SLASH, "-1"), 401),
    ("timestamp-stale", SLASH, FORM, signed(SLASH, str(int(time.time()) - 600)), 401),
    ("signature-missing", SLASH, FORM, {"X-Slack-Request-Timestamp": str(int(time.time()))}, 401),
    ("signature-0xff", SLASH, FORM, {**signed(SLASH), "X-Slack-Signature": "v0=\xff\xfe"}, 401),
    ("signature-other-secret", SLASH, FORM, signed(SLASH, secret="another"), 401),
    ("unsigned-0xff-body", b"\xff" + SLASH, FORM, {}, 401),
    ("signed-0xff-body", b"\xff" + SLASH, FORM, None, 400),
    ("signed-0xff-json", b'{"type": "\xff"}', JSON, None, 400),
    ("deep-json-event", DEEP.encode(), JSON, None, 400),
    ("deep-json-payload", f"payload={DEEP}".encode(), FORM, None, 400),
    ("deep-json-unsigned", DEEP.encode(), JSON, {}, 401),
    ("json-array", b"[1, 2]", JSON, None, 400),
    ("json-without-type", b'{"event": {}}', JSON, None, 400),
    ("json-not-closed", b'{"type": "event_callback", ', JSON, None, 400),
    ("json-nan", b'{"type": NaN', JSON, None, 400),
    ("event-as-form", EVENT, FORM, None, 400),
    ("command-as-json", SLASH, JSON, None, 400),
    ("command-as-text-plain", SLASH, "text/plain", None, 415),
    ("command-as-multipart", SLASH, "multipart/form-data; boundary=x", None, 415),
    ("event-as-text-plain", EVENT, "text/plain", None, 415),
    ("no-content-type", SLASH, None, None, 415),
    ("payload-not-json", b"payload=%7Bnot-json", FORM, None, 400),
    ("payload-a-string", b"payload=%22hi%22", FORM, None, 400),
    ("payload-twice", BUTTON + b"&" + BUTTON, FORM, None, 400),
    ("form-neither-command-nor-payload", b"user_id=U1&text=hi", FORM, None, 400),
    ("form-bad-escape", b"command=%2Fmdt&text=%zz%", FORM, None, 200),
    ("empty-body", b"", FORM, None, 400),
    ("over-the-limit", b"command=/mdt&text=" + b"x" * LIMIT, FORM, None, 413),
]


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [case[0] for case in cases]


@pytest.mark.parametrize(
    ("name", "body", "kind", "headers", "status"), SLACK_CASES, ids=_ids(SLACK_CASES)
)
def test_a_malformed_slack_request_is_refused_plainly(
    edge: Edge,
    caplog: pytest.LogCaptureFixture,
    name: str,
    body: bytes,
    kind: str | None,
    headers: dict[str, str] | None,
    status: int,
) -> None:
    before = snapshot(edge.store)
    with caplog.at_level(logging.INFO):
        got = edge.slack(body, kind, signed(body) if headers is None else headers)
    assert got == status, name
    if status != 200:
        assert snapshot(edge.store) == before, "nothing is written for a refused request"
    assert not [r for r in caplog.records if r.exc_info], "no traceback"


NOW = int(TeamsClock()().timestamp())
GOOD_CLAIMS = {
    "iss": ISSUER,
    "aud": APP_ID,
    "exp": NOW + 3600,
    "nbf": NOW - 60,
    "serviceurl": SERVICE_URL,
}
DEEP_HEADER = ('{"alg": "RS256", "kid": ' + DEEP + "}").encode()

# (id, Authorization value or None, expected status)
TEAMS_TOKENS: list[tuple[str, str | None, int]] = [
    ("no-authorization", None, 401),
    ("basic-auth", "Basic dXNlcjpwYXNz", 401),
    ("bearer-alone", "Bearer", 401),
    ("bearer-garbage", "Bearer a.b.c", 401),
    ("bearer-one-part", "Bearer abc", 401),
    ("bearer-0xff", "Bearer \xff\xfe.\xff.\xff", 401),
    ("kid-a-number", "Bearer " + raw_token({"alg": "RS256", "kid": 123}, GOOD_CLAIMS), 401),
    ("kid-a-list", "Bearer " + raw_token({"alg": "RS256", "kid": ["key-1"]}, GOOD_CLAIMS), 401),
    ("kid-unknown", "Bearer " + raw_token({"alg": "RS256", "kid": "nope"}, GOOD_CLAIMS), 401),
    ("alg-none", "Bearer " + raw_token({"alg": "none", "kid": "key-1"}, GOOD_CLAIMS), 401),
    ("alg-a-list", "Bearer " + raw_token({"alg": ["RS256"], "kid": "key-1"}, GOOD_CLAIMS), 401),
    ("header-a-list", "Bearer " + raw_token(["RS256"], GOOD_CLAIMS), 401),
    ("header-deep-json", "Bearer " + raw_token(DEEP_HEADER, GOOD_CLAIMS), 401),
    ("header-not-json", "Bearer " + raw_token(b"\xff{", GOOD_CLAIMS), 401),
    ("claims-not-json", "Bearer " + raw_token({"alg": "RS256", "kid": "key-1"}, b"\xff"), 401),
    ("forged-signature", "Bearer " + raw_token({"alg": "RS256", "kid": "key-1"}, GOOD_CLAIMS), 401),
]


@pytest.mark.parametrize(("name", "authorization", "status"), TEAMS_TOKENS, ids=_ids(TEAMS_TOKENS))
def test_a_malformed_teams_token_is_refused_plainly(
    edge: Edge,
    caplog: pytest.LogCaptureFixture,
    name: str,
    authorization: str | None,
    status: int,
) -> None:
    before = snapshot(edge.store)
    with caplog.at_level(logging.INFO):
        got = edge.post_teams(json.dumps(edge.activity()).encode(), authorization)
    assert got == status, name
    assert snapshot(edge.store) == before
    assert not [r for r in caplog.records if r.exc_info], "no traceback"


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        ({}, 200),
        ({"exp": "abc"}, 401),
        ({"exp": None}, 401),
        ({"nbf": "soon"}, 401),
        ({"aud": 123}, 401),
        ({"aud": ["someone-else"]}, 401),
        ({"iss": 5}, 401),
        ({"iss": None}, 401),
        ({"serviceurl": 7}, 403),
    ],
    ids=[
        "good",
        "exp-text",
        "no-exp",
        "nbf-text",
        "aud-number",
        "aud-other",
        "iss-number",
        "no-iss",
        "serviceurl-number",
    ],
)
def test_a_signed_token_with_bad_claims_is_refused(
    edge: Edge, claims: dict[str, Any], status: int
) -> None:
    payload = {k: v for k, v in {**GOOD_CLAIMS, **claims}.items() if v is not None}
    token = PyJWS().encode(
        json.dumps(payload).encode(),
        edge.teams.signing_key,
        algorithm="RS256",
        headers={"kid": edge.teams.kid},
    )
    body = json.dumps(edge.activity()).encode()
    assert edge.post_teams(body, f"Bearer {token}") == status


# (id, body), each with a valid token: 400, or 413 past the limit
TEAMS_BODIES: list[tuple[str, bytes, int]] = [
    ("0xff", b"\xff\xfe{}", 400),
    ("deep-json", DEEP.encode(), 400),
    ("deep-json-in-a-field", b'{"type": "message", "value": ' + DEEP.encode() + b"}", 400),
    ("not-closed", b'{"type": "message"', 400),
    ("a-list", b"[]", 400),
    ("from-a-list", json.dumps({"type": "message", "from": []}).encode(), 400),
    ("over-the-limit", b'{"text": "' + b"x" * LIMIT + b'"}', 413),
]


@pytest.mark.parametrize(("name", "body", "status"), TEAMS_BODIES, ids=_ids(TEAMS_BODIES))
def test_a_malformed_teams_body_is_refused_plainly(
    edge: Edge, caplog: pytest.LogCaptureFixture, name: str, body: bytes, status: int
) -> None:
    before = snapshot(edge.store)
    with caplog.at_level(logging.INFO):
        got = edge.post_teams(body, f"Bearer {edge.teams.token()}")
    assert got == status, name
    assert snapshot(edge.store) == before
    assert not [r for r in caplog.records if r.exc_info], "no traceback"


def test_json_depth_is_checked_before_parsing() -> None:
    assert loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(RefusedError):
        loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    brackets = "[" * (MAX_JSON_DEPTH * 2)
    assert loads(json.dumps({"a": brackets, "b": '"{['})) == {"a": brackets, "b": '"{['}


def test_a_body_is_given_up_on_as_soon_as_it_passes_the_limit() -> None:
    chunk = b"x" * 65_536
    received: list[int] = []

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": chunk, "more_body": len(received) < 4096}

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(RefusedError) as refused:
        asyncio.run(read_body(request, LIMIT))
    assert refused.value.status == 413
    assert len(received) == LIMIT // len(chunk) + 1, "read no further than the limit"


def _exchange(url: str, head: bytes, chunks: list[bytes]) -> bytes:
    """Send a request's head and as much of its body as the server takes; its answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(head)
        try:
            for piece in chunks:
                connection.sendall(piece)
        except OSError:
            pass  # the server answered and closed before the rest was sent
        return connection.recv(4096)


@pytest.mark.parametrize("path", ["/slack/events", "/api/messages"])
def test_a_huge_or_malformed_body_is_refused_before_it_is_read(store: Store, path: str) -> None:
    slack = FakeSlack().start()
    try:
        with respx.mock(assert_all_called=False) as router:
            FakeTeams().install(router)
            router.route(host="127.0.0.1").pass_through()
            with serving(build_app(store, slack, httpx.Client())) as url:
                head = (
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON}\r\n"
                    f"Content-Length: {256 * 1024 * 1024}\r\n\r\n"
                ).encode()
                answer = _exchange(url, head, [b"{" * 65_536])
                chunked = (
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON}\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"
                ).encode()
                piece = b"10000\r\n" + b"x" * 65_536 + b"\r\n"
                streamed = _exchange(url, chunked, [piece] * 64)
                bad_length = (
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON}\r\n"
                    "Content-Length: abc\r\n\r\n{}"
                ).encode()
                malformed = _exchange(url, bad_length, [])
    finally:
        slack.stop()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert streamed.startswith(b"HTTP/1.1 413"), streamed[:80]
    assert malformed.startswith(b"HTTP/1.1 400"), malformed[:80]
