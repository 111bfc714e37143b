"""Slack ack latency: `mdtbot serve` against a bare Bolt app that only acks, on the same stack.

Run from the project folder: `python -m bench.slack_ack [--requests 400]`. Both servers run
under uvicorn with the same Starlette route and Bolt adapter; `mdtbot serve` talks to a fake
Slack Web API on loopback and keeps its records in a temporary SQLite database. The same signed
`/mdt` requests go to each in turn; the figures are the time until Slack would have its ack.
Targets: p50 within 1.2x of bare Bolt, p99 within 1.5x.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import SECRET, sign, slash_body

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("list", "help new", "actions mine", "show M1")
USERS = ("UPRIYA", "UTOM", "UNURSE")


def bare_server(port: int) -> None:
    """A Bolt app whose only listener acks `/mdt`, served like `mdtbot serve` serves ours."""
    import uvicorn  # noqa: PLC0415
    from slack_bolt import Ack, App  # noqa: PLC0415
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

    @app.command("/mdt")
    def ack_only(ack: Ack) -> None:
        ack()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    routes = [Route("/healthz", healthz), *slack_routes(app, SECRET)]
    uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="info")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{command[3]} did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def ack_time(client: httpx.Client, url: str, text: str, user: str, fake: FakeSlack) -> float:
    """Seconds from sending a signed `/mdt` request until its response is back."""
    body = slash_body(text, user, response_url=fake.response_url("bench"))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    started = time.perf_counter()
    response = client.post(f"{url}/slack/events", content=body, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(requests: int, warmup: int, pause: float) -> int:
    fake = FakeSlack().start()
    for user in USERS:
        fake.add_user(user, user[1:].lower())
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-T1",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "PYTHONPATH": str(ROOT),
        }
        for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
            env.pop(name, None)
        ours_port, bare_port = free_port(), free_port()
        ours_cmd = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
        bare_cmd = [sys.executable, "-m", "bench.slack_ack", "--bare", str(bare_port)]
        with (
            server([*ours_cmd, "--port", str(ours_port)], env, ours_port) as ours,
            server(bare_cmd, env, bare_port) as bare,
            httpx.Client(timeout=10) as ours_client,
            httpx.Client(timeout=10) as bare_client,
        ):
            times: dict[str, list[float]] = {"mdtbot serve": [], "bare Bolt": []}
            for n in range(warmup + requests):
                text, user = COMMANDS[n % len(COMMANDS)], USERS[n % len(USERS)]
                pair = [
                    ("mdtbot serve", ours_client, ours),
                    ("bare Bolt", bare_client, bare),
                ]
                for name, client, url in pair if n % 2 else reversed(pair):
                    elapsed = ack_time(client, url, text, user, fake)
                    if n >= warmup:
                        times[name].append(elapsed)
                time.sleep(pause)
    fake.stop()
    return report(times, requests)


def report(times: dict[str, list[float]], requests: int) -> int:
    ours, bare = times["mdtbot serve"], times["bare Bolt"]
    print(f"Slack /mdt ack latency, {requests} signed requests each (milliseconds)")
    for name, values in times.items():
        print(
            f"  {name:13} p50 {percentile(values, 0.5) * 1000:7.2f}"
            f"  p99 {percentile(values, 0.99) * 1000:7.2f}"
            f"  mean {statistics.fmean(values) * 1000:7.2f}"
        )
    p50 = percentile(ours, 0.5) / percentile(bare, 0.5)
    p99 = percentile(ours, 0.99) / percentile(bare, 0.99)
    print(f"  ratio p50 {p50:.2f}x (target <= 1.2x: {'met' if p50 <= 1.2 else 'MISSED'})")
    print(f"  ratio p99 {p99:.2f}x (target <= 1.5x: {'met' if p99 <= 1.5 else 'MISSED'})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="timed requests per server")
    parser.add_argument("--warmup", type=int, default=40, help="untimed requests first")
    parser.add_argument(
        "--pause", type=float, default=20, help="milliseconds between requests (Slack's pace)"
    )
    parser.add_argument("--bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_server(args.bare)
        return 0
    return run(args.requests, args.warmup, args.pause / 1000)


if __name__ == "__main__":
    sys.exit(main())
