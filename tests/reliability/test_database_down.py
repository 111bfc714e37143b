"""The database down: the core and the console answer in words, nothing is half-written, and
`serve`, `migrate` and `console` stop at start-up with one line naming the setting."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from bot.cli import main
from bot.console import ConsoleSession
from commands.core import Core, CoreSettings
from commands.messages import Message
from tests.closed_port import closed_port_url, down_store
from tests.conftest import Console
from tests.support import snapshot

WORDS = "I can't reach the records just now; nothing was saved. Please try again in a few minutes."
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("command", [["migrate"], ["console"], ["serve", "--port", "0"]])
@pytest.mark.parametrize("given", ["env", "flag"])
def test_start_up_without_the_database_is_one_line_naming_the_setting(
    command: list[str],
    given: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = closed_port_url()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    if given == "env":
        monkeypatch.setenv("DATABASE_URL", url)
        argv = command
    else:
        argv = [*command, "--db", url]
    assert main(argv) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "DATABASE_URL" in err if given == "env" else "--db" in err
    assert "cannot reach the database" in err
    assert "Traceback" not in err
    assert "not-the-password" not in err, "the password is never printed"


def test_an_sqlite_file_that_cannot_be_opened_is_one_line_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'mdt.db'}"
    assert main(["migrate", "--db", url]) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "--db" in err


def test_the_console_answers_in_words_without_the_database(tmp_path: Path) -> None:
    store = down_store()

    def sweep(now: datetime) -> list[Message]:
        with store.transaction(now) as session:
            session.execute(text("select 1"))
        return []

    out = io.StringIO()
    console = ConsoleSession(
        core=Core(store, CoreSettings()),
        user="priya",
        channel="team",
        now=NOW,
        out=out,
        files_dir=tmp_path,
        sweep=sweep,
    )
    for line in ("/mdt new Review on 4/2/2027 at 10:00", "decision: discharge", ":clock +1d"):
        console.line(line)
    console.line("just chatting")
    assert out.getvalue().count(f"[only @priya] {WORDS}") == 3, out.getvalue()


def test_a_connection_lost_mid_command_leaves_nothing_half_written(console: Console) -> None:
    console("/mdt iam Brighton Adult Social Care as social worker")
    before = snapshot(console.store)
    statements = 0

    def drop(*_args: object) -> None:
        nonlocal statements
        statements += 1
        if statements == 6:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    event.listen(console.store.engine, "before_cursor_execute", drop)
    try:
        printed = console("/mdt new Review case AB-1234 on 4/2/2027 at 10:00 with @tom")
    finally:
        event.remove(console.store.engine, "before_cursor_execute", drop)
    assert statements >= 6, "the command got part of the way"
    assert WORDS in printed
    assert snapshot(console.store) == before, "nothing of the meeting was kept"
