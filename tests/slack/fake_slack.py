"""A small fake of Slack's Web API on loopback: records every call and answers like Slack."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class FakeSlack:
    """Plays the Slack Web API (and response URLs, file uploads, OAuth) on 127.0.0.1."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    installs: dict[str, str] = field(default_factory=dict)  # OAuth code -> team id
    _fail: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages
    _delay: dict[str, list[float]] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    # Control -----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.handle(self)

            def do_POST(self) -> None:
                fake.handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    def add_user(self, user_id: str, name: str, tz: str = "Europe/London") -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "real_name": name.title(),
            "tz": tz,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name.title()},
        }

    def fail_next(
        self, method: str, status: int, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> None:
        """The next call of `method` gets this answer (e.g. 429 with Retry-After)."""
        with self._lock:
            self._fail.setdefault(method, []).append(
                (status, headers or {}, body or {"ok": False, "error": "ratelimited"})
            )

    def delay_next(self, method: str, seconds: float) -> None:
        """The next call of `method` is carried out, but answered only after `seconds`."""
        with self._lock:
            self._delay.setdefault(method, []).append(seconds)

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> set[str]:
        with self._lock:
            return {c.method for c in self.calls}

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # Serving ------------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        args: dict[str, Any] = dict(parse_qsl(parsed.query))
        kind = request.headers.get("Content-Type") or ""
        if raw and "json" in kind:
            args.update(json.loads(raw))
        elif raw and "form-urlencoded" in kind:
            args.update(dict(parse_qsl(raw.decode())))
        auth = request.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ") or args.get("token")
        if parsed.path.startswith("/api/"):
            method = parsed.path.removeprefix("/api/")
        elif parsed.path.startswith("/response/"):
            method = "response_url"
            args["name"] = parsed.path.removeprefix("/response/")
        elif parsed.path.startswith("/upload/"):
            method = "file_upload"
            args = {"bytes": len(raw)}
        else:
            method = parsed.path
        with self._lock:
            self.calls.append(Call(method, args, token))
            failing = self._fail.get(method)
            failure = failing.pop(0) if failing else None
        if failure is not None:
            status, headers, body = failure
            self._reply(request, status, body, headers)
            return
        answer = self.answer(method, args, token)
        with self._lock:
            delays = self._delay.get(method)
            delay = delays.pop(0) if delays else 0.0
        if delay:
            time.sleep(delay)
        # A client that gave up waiting has gone; what it asked for was done all the same.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._reply(request, 200, answer)

    def _reply(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)

    def _next_ts(self) -> str:
        return f"1800000000.{next(self._ts):06d}"

    def answer(self, method: str, args: dict[str, Any], token: str | None) -> Any:
        team = (token or "").removeprefix("xoxb-") or "T1"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": team,
                "team_id": team,
                "user": "mdt",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method == "chat.postMessage":
            ts = self._next_ts()
            metadata = args.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            with self._lock:
                self.posted.setdefault(str(args.get("channel")), []).insert(
                    0, {"ts": ts, "text": args.get("text"), "metadata": metadata}
                )
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "conversations.history":
            wanted = args.get("include_all_metadata") in {True, "true", "1"}
            with self._lock:
                found = list(self.posted.get(str(args.get("channel")), []))
            if not wanted:
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", ""))}}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "file"}]}
        if method == "oauth.v2.access":
            team_id = self.installs.get(str(args.get("code")), "")
            if not team_id:
                return {"ok": False, "error": "invalid_code"}
            return {
                "ok": True,
                "app_id": "A1",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "chat:write,commands",
                "token_type": "bot",
                "access_token": f"xoxb-{team_id}",
                "bot_user_id": "UBOT",
                "team": {"id": team_id, "name": f"Team {team_id}"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if method in {"response_url", "file_upload"}:
            return "ok"
        return {"ok": True}
