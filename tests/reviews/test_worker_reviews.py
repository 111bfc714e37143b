"""`mdtbot worker` closes reviews that are past their time and posts each summary once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.console import parse_moment
from storage.db import Store
from tests.conftest import Console


def test_the_worker_closes_a_due_review_and_posts_its_summary_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'mdt.db'}"
    store = Store.open(url, upgrade=True)
    start = parse_moment("2027-02-01T09:00:00+00:00")
    assert start is not None
    console = Console(store, start, "priya", "team", tmp_path / "files")
    console(
        "/mdt new Case review on 1/2/2027 at 10:00 with @tom",
        ":as tom",
        "/mdt attend M1",
        ":as priya",
        ":clock 2027-02-01T10:00:00+00:00",
        "/mdt start M1",
        "/mdt end M1",
        ":as tom",
        "/mdt review M1 keep meeting on time",
    )
    store.engine.dispose()

    assert main(["worker", "--db", url, "--once", "--now", "2027-02-02T10:00:00+00:00"]) == 0
    assert "[#team]" not in capsys.readouterr().out  # one working day on: still open

    assert main(["worker", "--db", url, "--once", "--now", "2027-02-04T10:00:00+00:00"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("[#team]") == 1
    assert "meeting on time" in printed

    assert main(["worker", "--db", url, "--once", "--now", "2027-02-04T10:05:00+00:00"]) == 0
    assert "[#team]" not in capsys.readouterr().out
