"""Slack slash commands under load: `mdtbot serve` against bare Bolt apps on the same stack.

Run from the project folder: `python -m bench.load [--clients 16 64] [--duration 4] [--repeats 3]
[--postgres]`. Four servers run under uvicorn with the same Starlette route and Bolt adapter:
a bare Bolt app that only acks `/mdt`, one that acks and posts a fixed reply to the response URL
from 8 threads, and `mdtbot serve` (one process, and `--workers 2`) on a database holding a few
meetings with actions (SQLite in a temporary folder; with `--postgres`, a throwaway PostgreSQL
database). Each talks to a fake Slack
Web API in a process of its own, which notes when each reply arrives.

Closed-loop clients each send a signed `/mdt` command, wait for its ack, and send the next. Per
run: ack p50/p99 (time until the ack is back), completed commands per second (replies that
arrived in the window), reply p99 (request sent until its reply arrived; a reply still missing a
few seconds after the window counts as never), and how many were told the bot is busy. The
systems take turns (rotated each repeat), repeated; medians and spreads are printed beside the
targets: ack p50 <= 1.2x and p99 <= 1.5x the bare app's, completed >= 0.5x the replying bare
app's, reply p99 under 2 s; two worker processes complete >= 1.6x what one does.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import SECRET, sign, slash_body

ROOT = Path(__file__).resolve().parent.parent
PRIYA, TOM, NURSE = "UPRIYA", "UTOM", "UNURSE"
USERS = (PRIYA, TOM, NURSE)
COMMANDS = ("list", "actions mine", "show M1", "show M2", "help new")
BARE, REPLYING, OURS, TWO = "bare ack", "bare reply", "mdtbot serve", "serve x2"
SYSTEMS = (BARE, REPLYING, OURS, TWO)  # TWO: `mdtbot serve --workers 2`
REPLY_GRACE = 5.0  # seconds after a run for its last replies to arrive
SEED = (
    f"new Discharge planning on 4 Feb at 10:00 with <@{TOM}> <@{NURSE}>",
    f"new Case review on 5 Feb at 11:00 with <@{TOM}>",
    f"new Safeguarding strategy on 8 Feb at 14:00 with <@{NURSE}> <@{TOM}>",
    "start M1 now",  # the server runs on the real clock, days before the booked time
    f"action M1 <@{TOM}> call the GP about the discharge by friday",
    f"action M1 <@{NURSE}> check the care package is in place by 10 Feb",
    "end M1",
    "start M2 now",
    f"action M2 <@{PRIYA}> write to the housing officer by 12 Feb",
    f"action M2 <@{TOM}> book the occupational therapy visit by 15 Feb",
    "end M2",
    "start M3 now",
    f"action M3 <@{NURSE}> arrange the medication review by 9 Feb",
    f"action M3 <@{PRIYA}> share the safety plan by 11 Feb",
)


# The servers ---------------------------------------------------------------------------------


def bare_server(port: int, replying: bool) -> None:
    """A Bolt app whose `/mdt` only acks (or acks, then posts "Done." from 8 threads)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415
    from slack_bolt import Ack, App  # noqa: PLC0415
    from slack_sdk.webhook import WebhookClient  # noqa: PLC0415
    from starlette.applications import Starlette  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.responses import JSONResponse  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    from bot.server import slack_routes  # noqa: PLC0415
    from bot.slack.delivery import web_client  # noqa: PLC0415

    app = App(
        signing_secret=SECRET,
        client=web_client(os.environ["SLACK_API_URL"], "xoxb-T1"),
        process_before_response=True,
    )
    pool = ThreadPoolExecutor(max_workers=8)

    def reply(url: str) -> None:
        WebhookClient(url, timeout=10).send(
            text="Done.", response_type="ephemeral", replace_original=False
        )

    @app.command("/mdt")
    def on_mdt(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        if replying:
            pool.submit(reply, str(command["response_url"]))

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    routes = [Route("/healthz", healthz), *slack_routes(app, SECRET)]
    uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="info")


def free_port() -> int:
    """A loopback port nobody is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Start a server process, wait for its `/healthz`, yield its URL; stop it afterwards."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{' '.join(command[2:])} did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


# The fake Slack, in a process of its own -----------------------------------------------------


@dataclass
class RecordingSlack(FakeSlack):
    """The fake Slack Web API, noting when each response-URL reply arrives (and if it was busy).

    `GET /bench/replies?since=N` lists the arrivals from the Nth on as [name, time, busy].
    """

    arrivals: list[tuple[str, float, bool]] = field(default_factory=list)

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parsed = urlsplit(request.path)
        if parsed.path == "/bench/replies":
            since = int(parse_qs(parsed.query).get("since", ["0"])[0])
            with self._lock:
                found = self.arrivals[since:]
            self._reply(request, 200, found)
            return
        if not parsed.path.startswith("/response/"):
            with self._lock:
                self.arrivals.append((f"api:{parsed.path}", time.monotonic(), False))
            super().handle(request)
            return
        arrived = time.monotonic()
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        busy = b"busy" in raw
        with self._lock:
            self.arrivals.append((parsed.path.removeprefix("/response/"), arrived, busy))
        self._reply(request, 200, "ok")


def fake_slack_process() -> None:
    """Serve the recording fake until stopped; its URL is the first line printed."""
    fake = RecordingSlack().start()
    for user in USERS:
        fake.add_user(user, user[1:].lower())
    print(fake.url, flush=True)
    threading.Event().wait()


@contextmanager
def fake_slack(env: dict[str, str]) -> Iterator[str]:
    """The recording fake Slack in a child process; its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.load", "--fake"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(10)


def arrivals(fake_url: str, since: int) -> list[tuple[str, float, bool]]:
    """Replies the fake has had, from the `since`th on."""
    answer = httpx.get(f"{fake_url}/bench/replies", params={"since": since}, timeout=30)
    return [(str(n), float(t), bool(b)) for n, t, b in answer.json()]


# The clients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One command: its reply's name, when it was sent and acked, and if the ack said busy."""

    name: str
    began: float
    acked: float
    busy: bool


@dataclass(frozen=True)
class Load:
    """One run's load: the server, the fake Slack, how many clients for how long, a tag."""

    url: str
    fake_url: str
    clients: int
    seconds: float
    tag: str


class Connection:
    """One kept-alive HTTP/1.1 connection, written by hand so the clients cost little CPU."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """The status and body of the answer; a connection the server closed is opened again."""
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):
            if self.streams is None:
                self.streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self.streams
            try:
                writer.write(request)
                await writer.drain()
                status_line = await reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
                continue
            lines = status_line.decode("latin-1").split("\r\n")
            fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            length = int({k.lower(): v for k, v in fields.items()}.get("content-length", "0"))
            answer = await reader.readexactly(length) if length else b""
            return int(lines[0].split()[1]), answer
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def one_client(load: Load, index: int, end: float) -> list[Sent]:
    """Send commands one after another until `end`, each as soon as the last was acked."""
    sent = []
    number = 0
    user = USERS[index % len(USERS)]
    connection = Connection(load.url)
    while time.monotonic() < end:
        name = f"{load.tag}-{index}-{number}"
        text = COMMANDS[(index + number) % len(COMMANDS)]
        body = slash_body(text, user, response_url=f"{load.fake_url}/response/{name}")
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        began = time.monotonic()
        try:
            status, answer = await connection.post("/slack/events", body.encode(), headers)
        except (ConnectionError, asyncio.IncompleteReadError):
            sent.append(Sent(name, began, float("nan"), busy=False))
            number += 1
            continue
        acked = time.monotonic()
        if status != 200:
            raise RuntimeError(f"{load.url}: {status} {answer[:200]!r}")
        sent.append(Sent(name, began, acked, b"busy" in answer))
        number += 1
    connection.close()
    return sent


async def closed_loop(load: Load) -> list[Sent]:
    """`load.clients` closed-loop clients for `load.seconds`; every command they sent."""
    end = time.monotonic() + load.seconds
    batches = await asyncio.gather(*(one_client(load, index, end) for index in range(load.clients)))
    return [one for batch in batches for one in batch]


# One run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What one run measured."""

    ack_p50: float
    ack_p99: float
    completed: float  # replies per second that arrived within the window
    reply_p99: float  # seconds; inf when more than 1% of the replies never came
    busy: int
    sent: int
    failed: int  # requests whose connection broke (not counted in the figures)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of them lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def settle(fake_url: str, seen: int, quiet: float = 1.0, limit: float = 120.0) -> int:
    """Wait until no reply has arrived for `quiet` seconds; the number of arrivals then."""
    deadline = time.monotonic() + limit
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now_seen = seen + len(arrivals(fake_url, seen))
        if now_seen != seen:
            seen, last_change = now_seen, time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            break
    return seen


def one_run(system: str, load: Load, seen: int) -> tuple[Figures, int]:
    """Measure one system once; the figures, and the fake's arrivals count after it settled."""
    fake_url, tag, seconds = load.fake_url, load.tag, load.seconds
    began = time.monotonic()
    sent = asyncio.run(closed_loop(load))
    end = began + seconds
    replies = system != BARE
    if replies:
        time.sleep(REPLY_GRACE)
    got = {name: at for name, at, _ in arrivals(fake_url, seen) if name.startswith(f"{tag}-")}
    seen = settle(fake_url, seen)
    failed = [s for s in sent if math.isnan(s.acked)]
    sent = [s for s in sent if not math.isnan(s.acked)]
    acks = [s.acked - s.began for s in sent]
    waited = [s for s in sent if not s.busy]
    latency = [got.get(s.name, float("inf")) - s.began for s in waited]
    in_window = sum(1 for at in got.values() if at <= end)
    figures = Figures(
        ack_p50=percentile(acks, 0.5),
        ack_p99=percentile(acks, 0.99),
        completed=in_window / seconds if replies else 0.0,
        reply_p99=percentile(latency, 0.99) if replies and latency else 0.0,
        busy=len(sent) - len(waited),
        sent=len(sent),
        failed=len(failed),
    )
    return figures, seen


# Setting up ----------------------------------------------------------------------------------


def populate(url: str, fake_url: str, db_url: str) -> None:
    """A few meetings with actions, made through `mdtbot serve` itself, one after another."""
    from sqlalchemy import func, select  # noqa: PLC0415

    from storage.db import Store, make_engine  # noqa: PLC0415
    from storage.models import Action, Meeting  # noqa: PLC0415

    seen = settle(fake_url, 0, quiet=0.3)
    with httpx.Client(timeout=30) as http:
        for number, text in enumerate(SEED):
            body = slash_body(text, PRIYA, response_url=f"{fake_url}/response/seed-{number}")
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            assert http.post(f"{url}/slack/events", content=body, headers=headers).is_success
            seen = settle(fake_url, seen, quiet=0.3)
    store = Store(make_engine(db_url))
    with store.engine.connect() as connection:
        meetings = connection.scalar(select(func.count()).select_from(Meeting))
        actions = connection.scalar(select(func.count()).select_from(Action))
    store.engine.dispose()
    if (meetings, actions) != (3, 6):
        raise RuntimeError(f"seeding made {meetings} meetings and {actions} actions, not 3 and 6")


@contextmanager
def database(postgres: bool, folder: str) -> Iterator[str]:
    """The URL of an empty database for `mdtbot serve`: a temporary SQLite file, or PostgreSQL."""
    if not postgres:
        yield f"sqlite:///{folder}/load.db"
        return
    from bench.reminders import SERVER  # noqa: PLC0415
    from storage.scratch import fresh_postgres  # noqa: PLC0415

    with fresh_postgres(SERVER, "mdt_load") as url:
        yield url


def run(clients: list[int], seconds: float, repeats: int, postgres: bool) -> int:
    """Start everything, populate, warm up, measure interleaved, report."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "TEAMS_APP_ID"):
        env.pop(name, None)
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        fake_url = stack.enter_context(fake_slack(env))
        db_url = stack.enter_context(database(postgres, folder))
        env = {
            **env,
            "SLACK_BOT_TOKEN": "xoxb-T1",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"{fake_url}/api/",
            "DATABASE_URL": db_url,
        }
        ports = {system: free_port() for system in SYSTEMS}
        commands = {
            BARE: [sys.executable, "-m", "bench.load", "--bare", str(ports[BARE])],
            REPLYING: [sys.executable, "-m", "bench.load", "--replying", str(ports[REPLYING])],
            OURS: [
                *(sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"),
                *("--port", str(ports[OURS])),
            ],
            TWO: [
                *(sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"),
                *("--port", str(ports[TWO]), "--workers", "2"),
            ],
        }
        urls = {s: stack.enter_context(server(commands[s], env, ports[s])) for s in SYSTEMS}
        populate(urls[OURS], fake_url, db_url)
        seen = settle(fake_url, 0)
        for system in SYSTEMS:  # warm-up, untimed
            warm = Load(urls[system], fake_url, max(clients), 1.0, f"w{system[:4]}")
            _, seen = one_run(system, warm, seen)
        results: dict[tuple[int, str], list[Figures]] = {}
        for repeat in range(repeats):
            for count in clients:
                turn = repeat % len(SYSTEMS)
                order = SYSTEMS[turn:] + SYSTEMS[:turn]
                for system in order:
                    tag = f"r{repeat}c{count}{system[:4]}"
                    load = Load(urls[system], fake_url, count, seconds, tag)
                    figures, seen = one_run(system, load, seen)
                    results.setdefault((count, system), []).append(figures)
    store = "PostgreSQL" if postgres else "SQLite"
    print(f"`/mdt` under load ({store}), {seconds:g} s per run, {repeats} repeats, interleaved")
    return report(results, clients)


# The report ----------------------------------------------------------------------------------


def cell(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    """The median with its range."""
    scaled = sorted(v * scale for v in values)
    return (
        f"{statistics.median(scaled):.{digits}f} ({scaled[0]:.{digits}f}-{scaled[-1]:.{digits}f})"
    )


def verdict(values: list[float], limit: float, *, at_most: bool = True) -> str:
    """The median ratio, its spread and the target, met or not."""
    median = statistics.median(values)
    met = median <= limit if at_most else median >= limit
    sign_ = "<=" if at_most else ">="
    return f"{cell(values, digits=2)} (target {sign_} {limit:g}: {'met' if met else 'MISSED'})"


def report(results: dict[tuple[int, str], list[Figures]], clients: list[int]) -> int:
    """Per client count: each system's figures, then the ratios against the targets."""
    for count in clients:
        print(f"\n{count} clients: median (range) over the repeats")
        print(
            f"  {'':13} {'ack p50 ms':>20} {'ack p99 ms':>22} {'completed/s':>22}"
            f" {'reply p99 s':>20} {'busy/sent':>14} {'failed':>6}"
        )
        for system in SYSTEMS:
            runs = results[(count, system)]
            replies = system != BARE
            print(
                f"  {system:13} {cell([r.ack_p50 for r in runs], 1000):>20}"
                f" {cell([r.ack_p99 for r in runs], 1000):>22}"
                f" {cell([r.completed for r in runs]) if replies else '-':>22}"
                f" {cell([r.reply_p99 for r in runs], digits=2) if replies else '-':>20}"
                f" {sum(r.busy for r in runs):>6}/{sum(r.sent for r in runs):<7}"
                f" {sum(r.failed for r in runs):>6}"
            )
        ours, bare, replying = (results[(count, s)] for s in (OURS, BARE, REPLYING))
        pairs = list(zip(ours, bare, replying, strict=True))
        print(
            "  ack p50, ours / bare:       "
            + verdict([o.ack_p50 / b.ack_p50 for o, b, _ in pairs], 1.2)
        )
        print(
            "  ack p99, ours / bare:       "
            + verdict([o.ack_p99 / b.ack_p99 for o, b, _ in pairs], 1.5)
        )
        completed = [o.completed / r.completed for o, _, r in pairs]
        print("  completed, ours / replying: " + verdict(completed, 0.5, at_most=False))
        print("  reply p99 of ours, s:       " + verdict([o.reply_p99 for o in ours], 2.0))
        two = [t.completed / o.completed for t, o in zip(results[(count, TWO)], ours, strict=True)]
        print("  completed, 2 workers / 1:   " + verdict(two, 1.6, at_most=False))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="`mdtbot serve` on PostgreSQL")
    parser.add_argument("--bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--replying", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        fake_slack_process()
    elif args.bare or args.replying:
        bare_server(args.bare or args.replying, replying=bool(args.replying))
    else:
        return run(args.clients, args.duration, args.repeats, args.postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
