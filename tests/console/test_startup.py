"""The console starts without what it does not need: no Alembic on a current database, no Slack."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.db import alembic_config, is_current, make_engine, script_heads

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["alembic", "mako", "pygments", "slack_sdk", "slack_bolt", "holidays", "httpx", "uvicorn"]
PROBE = """
import json, sys
from bot.cli import main
status = main(["console", "--db", sys.argv[1], "--files", sys.argv[2]])
print(json.dumps([status, sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[3:]))]))
"""


def test_the_heads_read_from_the_files_are_alembics(migrated_sqlite: Path) -> None:
    engine = make_engine(f"sqlite:///{migrated_sqlite}")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    assert script_heads() == frozenset(scripts.get_heads())
    assert is_current(engine)
    engine.dispose()


def test_an_empty_database_is_not_current(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not is_current(engine)
    engine.dispose()


def test_the_console_starts_on_a_current_database_without_alembic_or_slack(
    migrated_sqlite: Path, tmp_path: Path
) -> None:
    shutil.copyfile(migrated_sqlite, tmp_path / "mdt.db")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    url = f"sqlite:///{tmp_path / 'mdt.db'}"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, url, str(tmp_path / "files"), *HEAVY],
        input="",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    status, loaded = json.loads(result.stdout.splitlines()[-1])
    assert status == 0
    assert loaded == []
