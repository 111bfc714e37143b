"""Separate console processes recording into one database at the same instant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from commands.core import Core, CoreSettings
from storage.db import Store
from storage.models import Action, Meeting
from tests.reliability.test_concurrency import NOW, ask

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 5
LINES = 10


def console_process(url: str, files: Path, lines: list[str]) -> subprocess.Popen[str]:
    """`mdtbot console` as priya in #team, reading its lines from a file."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MDT_")}
    environment.pop("DATABASE_URL", None)
    environment["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "bot.cli", "console", "--db", url, "--files", str(files)]
    command += ["--user", "priya", "--channel", "team", "--now", NOW.isoformat()]
    script = files.with_suffix(".txt")
    script.write_text("\n".join(lines) + "\n")
    with script.open() as stdin:
        return subprocess.Popen(
            command,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )


def test_console_processes_recording_at_once_all_save(store: Store, tmp_path: Path) -> None:
    core = Core(store, CoreSettings())
    assert ask(core, "priya", "new Discharge planning today at 10:00 with @tom")
    assert ask(core, "priya", "start M1")[0].template == "meeting:started"
    url = store.engine.url.render_as_string(hide_password=False)
    started = [
        console_process(
            url,
            tmp_path / f"files{p}",
            [f"/mdt action M1 @tom ring the GP, call {p}-{n}, by friday" for n in range(LINES)]
            + [f"/mdt new Case review {p} on 5 Feb at 11:00"],
        )
        for p in range(PROCESSES)
    ]
    outputs = []
    for process in started:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs.append(out)
    printed = "\n".join(outputs)
    assert "Sorry" not in printed
    with store.transaction(NOW) as session:
        actions = sorted(session.scalars(select(Action.number)))
        meetings = sorted(session.scalars(select(Meeting.number)))
    assert actions == list(range(1, PROCESSES * LINES + 1))
    assert meetings == list(range(1, PROCESSES + 2))
