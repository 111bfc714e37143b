"""The HTTP edge: bodies read within a limit, Slack signatures checked on the raw bytes, JSON kept
shallow. Whatever a request holds, the answer is a 4xx with a short reason, never a 500."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import ClientDisconnect, Request

DEFAULT_MAX_REQUEST_BYTES = 1_000_000
# Deeper than any real Slack or Teams payload; far from Python's recursion limit.
MAX_JSON_DEPTH = 64
SLACK_MAX_AGE = 5 * 60
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKETS = re.compile(r"[\[\]{}]")


class RefusedError(Exception):
    """A request answered with `status` (4xx) and a short reason, before any work is done."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and given up on as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isascii() or not declared.strip().isdigit():
            raise RefusedError(400, "malformed Content-Length")
        if int(declared) > limit:
            raise RefusedError(413, "request too large")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RefusedError(413, "request too large")
            chunks.append(chunk)
    except ClientDisconnect:
        raise RefusedError(400, "request body cut short") from None
    return b"".join(chunks)


def media_type(headers: Mapping[str, str]) -> str:
    """The Content-Type without its parameters, in lower case ('' when there is none)."""
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def loads(data: bytes | str) -> Any:
    """JSON from a request: refused when it is not UTF-8, not JSON, or nested too deep."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        if _depth(text) > MAX_JSON_DEPTH:
            raise RefusedError(400, "JSON nested too deep")
        return json.loads(text)
    except (ValueError, RecursionError):
        raise RefusedError(400, "malformed JSON") from None


def _depth(text: str) -> int:
    """How deep brackets nest in JSON text, strings skipped (an upper bound for bad JSON)."""
    deepest = depth = 0
    for bracket in BRACKETS.findall(STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def verify_slack_signature(
    body: bytes, headers: Mapping[str, str], secret: str, now: float | None = None
) -> None:
    """Slack's v0 signature over the raw bytes, and a timestamp within five minutes."""
    stamp = headers.get("x-slack-request-timestamp", "").strip()
    signature = headers.get("x-slack-signature", "").strip()
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        raise RefusedError(401, "missing or malformed request timestamp")
    if abs((time.time() if now is None else now) - int(stamp)) > SLACK_MAX_AGE:
        raise RefusedError(401, "stale request timestamp")
    base = b"v0:" + stamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    given = signature.encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode("ascii"), given):
        raise RefusedError(401, "invalid signature")


def check_slack_body(body: bytes, headers: Mapping[str, str]) -> None:
    """What Slack sends, and only that: slash commands and interactivity as a form, events as
    JSON. RefusedError 415 for another content type, 400 for a body that is not what it says."""
    kind = media_type(headers)
    if kind not in (FORM, JSON):
        raise RefusedError(415, "Slack sends forms or JSON only")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedError(400, "body is not UTF-8") from None
    if kind == JSON:
        _slack_object(loads(text))
        return
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        raise RefusedError(400, "malformed form") from None
    if any(len(values) != 1 for values in fields.values()):
        raise RefusedError(400, "a form field given twice")
    if "payload" in fields:
        _slack_object(loads(fields["payload"][0]))
    elif not ("command" in fields or "ssl_check" in fields):
        raise RefusedError(400, "a form that is neither a command nor an interaction")


def _slack_object(value: Any) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise RefusedError(400, "not a Slack payload")
