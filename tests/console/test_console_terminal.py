"""The console in a terminal: a welcome line, line editing and history, Ctrl-C, zones, clock."""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Console
from tests.support import blocks

ROOT = Path(__file__).resolve().parents[2]
LEFT, UP, CTRL_C = b"\x1b[D", b"\x1b[A", b"\x03"
LISTED = "`/mdt new <title> on <date> at <time>`"
PROMPT = "priya@#mdt> "


def read_until(
    fd: int, wanted: str, seen: list[str], times: int = 1, after: str = "", within: float = 60
) -> str:
    """Read the terminal until `wanted` has been printed `times` times after the last `after`.

    Gives up after `within` seconds, or when the terminal closes, and returns what was printed.
    """
    deadline = time.monotonic() + within
    while not _printed(seen, wanted, times, after):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen.append(chunk.decode(errors="replace"))
    return "".join(seen)


def _printed(seen: list[str], wanted: str, times: int, after: str) -> bool:
    text = "".join(seen)
    if after:
        if after not in text:
            return False
        text = text[text.rindex(after) + len(after) :]
    return text.count(wanted) >= times


def exit_code(pid: int) -> int | None:
    """The child's exit code, waiting at most 30 seconds; None (and the child killed) if not."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def press_ctrl_c(fd: int, seen: list[str]) -> str:
    """Press Ctrl-C until the console says it stopped, for at most 60 seconds.

    A press that lands while readline is still setting up the prompt is only seen by Python at
    the next key, as in any Python program; a person presses again, and so does this.
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "Stopped." not in "".join(seen):
        try:
            os.write(fd, CTRL_C)
        except OSError:  # the console has gone: what it printed says how
            break
        read_until(fd, "Stopped.", seen, within=2)
    return "".join(seen)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_a_terminal_gets_a_welcome_line_editing_history_and_a_clean_ctrl_c(
    tmp_path: Path,
) -> None:
    import pty  # noqa: PLC0415 - POSIX only

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real console on a terminal
        os.chdir(tmp_path)
        os.environ["PYTHONPATH"] = str(ROOT)
        args = ["-m", "bot.cli", "console", "--db", f"sqlite:///{tmp_path / 'mdt.db'}"]
        args += ["--user", "priya", "--now", "2027-02-01T09:00:00+00:00"]
        os.execv(sys.executable, [sys.executable, *args])
    seen: list[str] = []
    read_until(fd, PROMPT, seen)
    os.write(fd, b"/mdt lst" + LEFT + LEFT + b"i\r")  # `lst`, back two, `i`: `/mdt list`
    read_until(fd, PROMPT, seen, after=LISTED)  # keys typed before the prompt would only echo
    os.write(fd, UP + b"\r")  # the same line again, from the history
    read_until(fd, LISTED, seen, times=2)
    read_until(fd, PROMPT, seen, after=LISTED)
    printed = press_ctrl_c(fd, seen)
    code = exit_code(pid)
    os.close(fd)
    assert "[console] MDT assistant console. You are @priya in #mdt" in printed
    assert "the clock says Mon 1 Feb 2027 09:00 (Europe/London)" in printed
    assert printed.count(LISTED) == 2
    assert "^[[" not in printed
    assert "Traceback" not in printed
    assert "[console] Stopped. Everything you did is saved." in printed
    assert code == 0


def test_tz_with_a_city_suggests_the_zone(console: Console) -> None:
    printed = console(":tz Sydney", ":tz new york", ":tz Sidney")
    assert blocks(printed) == [
        "[console] Sydney is not a zone. Did you mean :tz Australia/Sydney?",
        "[console] new york is not a zone. Did you mean :tz America/New_York?",
        "[console] Sidney is not a zone. Did you mean :tz Australia/Sydney?",
    ]
    assert console(":tz Australia/Sydney") == ""  # a pipe: quiet, as before
    assert console.session.zones["priya"] == "Australia/Sydney"


def test_clock_says_the_new_time_and_warns_going_back(console: Console) -> None:
    console.session.interactive = True
    printed = console(":clock +1d", ":clock 2027-01-30T09:00")
    assert blocks(printed) == [
        "[console] The clock is now Tue 2 Feb 2027 09:00 (Europe/London).",
        "[console] The clock went back to Sat 30 Jan 2027 09:00 (Europe/London). Reminders "
        "already sent are not sent again.",
    ]
    console.session.interactive = False
    assert console(":clock +1d") == ""
    assert "The clock went back to Sat 30 Jan 2027" in console(":clock 2027-01-30T09:00")
