"""`mdtbot export case|person`: JSON that parses, HTML that passes the Nu HTML checker, the case's
words in them and nothing of any other case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.console import parse_moment
from storage.db import Store
from tests.conftest import Console
from tests.record.test_print import validate

OURS = "Refer to the housing panel"
THEIRS = "Ask the GP for a capacity assessment"
SCENARIO = [
    "/mdt new Housing strategy case AB-1234 tomorrow at 10am with @tom",
    "/mdt new Capacity planning case CD-5678 tomorrow at 2pm with @sam",
    ":clock 2027-02-02T10:00:00+00:00",
    "/mdt start M1",
    "/mdt agenda M1 Tenancy risks",
    f"/mdt decision M1 {OURS} because the tenancy is at risk",
    "/mdt action M1 @tom book the housing panel by 10/2/2027 measure panel date agreed",
    "/mdt end M1",
    ":as tom",
    "/mdt progress A1 panel asked for dates",
    ":as priya",
    "/mdt hold case AB-1234 a complaint is being investigated",
    ":clock 2027-02-02T14:00:00+00:00",
    "/mdt start M2",
    f"/mdt decision M2 {THEIRS} because capacity is in doubt",
    "/mdt end M2",
]


def export(console: Console, *args: str, tmp_path: Path) -> str:
    url = console.store.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "export.out"
    assert main(["export", *args, "--db", url, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_a_case_export_in_json_holds_the_case_and_no_other(
    console: Console, tmp_path: Path
) -> None:
    console(*SCENARIO)
    data = json.loads(export(console, "case", "ab-1234", tmp_path=tmp_path))
    assert data["case"] == "AB-1234"
    assert [m["ref"] for m in data["meetings"]] == ["M1"]
    meeting = data["meetings"][0]
    assert OURS in meeting["minutes"][0]["text"]
    assert [d["text"] for d in meeting["records"]["decision"]] == [OURS]
    assert [u["note"] for u in meeting["records"]["action_update"]] == ["panel asked for dates"]
    assert meeting["records"]["action"][0]["owner_name"] == "tom"
    assert data["legal_holds"][0]["reason"] == "a complaint is being investigated"
    changes = {(a["record"], a["change"]) for a in data["audit"]}
    assert {("meeting", "created"), ("decision", "created"), ("legal_hold", "created")} <= changes
    text = json.dumps(data)
    assert THEIRS not in text
    assert "Capacity planning" not in text
    assert "CD-5678" not in text


def test_a_person_export_holds_their_own_records(console: Console, tmp_path: Path) -> None:
    console(*SCENARIO)
    data = json.loads(export(console, "person", "tom", tmp_path=tmp_path))
    assert data["person"]["display_name"] == "tom"
    assert [a["description"] for a in data["records"]["action"]] == ["book the housing panel"]
    assert data["records"]["invitation"]
    assert all(a["actor"] == "tom" or a["record"] == "person" for a in data["audit"])


def test_an_unknown_case_is_refused(console: Console, capsys: pytest.CaptureFixture[str]) -> None:
    console(*SCENARIO)
    url = console.store.engine.url.render_as_string(hide_password=False)
    assert main(["export", "case", "ZZ-9999", "--db", url]) == 2
    assert "no records of case ZZ-9999" in capsys.readouterr().err


def test_the_html_export_is_valid_and_printable(tmp_path: Path) -> None:
    now = parse_moment("2027-02-01T09:00:00+00:00")
    assert now is not None
    store = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}", upgrade=True)
    console = Console(store, now, "priya", "team", tmp_path / "files")
    console(*SCENARIO, "/mdt agenda M1 <script>alert(1)</script> & more")
    page = export(console, "case", "AB-1234", "--format", "html", tmp_path=tmp_path)
    store.engine.dispose()
    assert OURS in page
    assert THEIRS not in page
    assert "<script>alert" not in page
    assert "OFFICIAL-SENSITIVE" in page
    path = tmp_path / "case.html"
    path.write_text(page, encoding="utf-8")
    assert validate(path) == []
