"""`mdtbot serve --workers 2`: two processes share the port, and everything they share is the
database, so commands reaching either are all saved, with distinct numbers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from storage.db import Store
from storage.models import Meeting
from tests.slack.conftest import PRIYA
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import SECRET, sign, slash_body, unique

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = 20
pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads worker pids in /proc")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(store: Store, fake: FakeSlack) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`mdtbot serve --workers 2` on the store's database, talking to the fake Slack."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    env |= {
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-T1",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
        "MDT_QUEUE_CAPACITY": str(COMMANDS),
    }
    port = _free_port()
    command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            assert process.poll() is None, "serve --workers 2 stopped"
            assert time.monotonic() < deadline, "serve --workers 2 did not start"
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _workers(process: subprocess.Popen[bytes]) -> list[str]:
    """The pids of the server's worker processes (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return [pid for pid in children if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]


def _meetings(store: Store) -> list[int]:
    with store.sessions() as session:
        return sorted(session.scalars(select(Meeting.number)))


def test_two_worker_processes_save_every_command_once(store: Store, fake: FakeSlack) -> None:
    with serving(store, fake) as (url, process):
        assert len(_workers(process)) == 2

        def send(index: int) -> int:
            body = slash_body(
                f"new Case review {index} on 5/2/2027 at 11:00",
                PRIYA,
                response_url=fake.response_url(unique("r")),
            )
            headers = {**sign(body), "Content-Type": "application/x-www-form-urlencoded"}
            return httpx.post(f"{url}/slack/events", content=body, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(send, range(COMMANDS)))
        deadline = time.monotonic() + 60
        while len(_announced(fake)) < COMMANDS and time.monotonic() < deadline:
            time.sleep(0.2)
    assert statuses == [200] * COMMANDS
    assert len(_announced(fake)) == COMMANDS
    assert [c.args.get("text", "") for c in fake.of("response_url")] == []  # no apology, no busy
    assert _meetings(store) == list(range(1, COMMANDS + 1))


def _announced(fake: FakeSlack) -> list[str]:
    """The meetings announced in the channel (each `/mdt new` posts its card there)."""
    posts = [c.args.get("text", "") for c in fake.of("chat.postMessage")]
    return [text for text in posts if " Case review " in text]


@pytest.mark.parametrize("count", ["0", "65", "two", "-1"])
def test_a_bad_worker_count_stops_serve_naming_it(
    count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main  # noqa: PLC0415

    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--workers", count])
    assert stopped.value.code == 2
    assert "--workers: give a whole number from 1 to 64" in capsys.readouterr().err
