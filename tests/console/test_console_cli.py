"""`mdtbot console` and `mdtbot migrate` run as real processes, reading a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.support import heads

ROOT = Path(__file__).resolve().parents[2]
NOW = "2027-02-01T09:00:00+00:00"


def mdtbot(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Run `mdtbot` as a separate Python process with a piped standard input."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MDT_")}
    environment.pop("DATABASE_URL", None)
    environment["PYTHONPATH"] = str(ROOT)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
    )


def console(tmp_path: Path, lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return mdtbot(
        "console",
        "--db",
        f"sqlite:///{tmp_path / 'mdt.db'}",
        "--files",
        str(tmp_path / "files"),
        "--now",
        NOW,
        *extra,
        stdin="\n".join(lines) + "\n",
        cwd=tmp_path,
    )


def test_console_reads_a_pipe_and_exits_0_at_the_end(tmp_path: Path) -> None:
    result = console(
        tmp_path,
        [
            "/mdt iam Brighton Adult Social Care as social worker",
            "/mdt new Discharge planning case BH-5521 tomorrow at 10am type discharge with @tom",
            ":as tom",
            "/mdt attend M1",
        ],
        "--user",
        "priya",
        "--channel",
        "#discharge-team",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert heads(result.stdout) == [
        "[only @priya]",
        "[#discharge-team]",
        "[DM @tom]",
        "[only @tom]",
    ]
    assert "M1 Discharge planning - Tue 2 Feb 2027 10:00-11:00 (Europe/London)" in result.stdout
    assert f"(file: {tmp_path / 'files' / 'M1.ics'})" in result.stdout
    assert (tmp_path / "files" / "M1.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert "priya@#discharge-team> " not in result.stdout  # no prompt when reading a pipe


def test_console_keeps_its_records_between_runs(tmp_path: Path) -> None:
    first = console(tmp_path, ["/mdt new Review tomorrow at 10am"])
    second = console(tmp_path, ["/mdt list"])
    assert first.returncode == second.returncode == 0
    assert "[only @you] Upcoming meetings in #mdt:" in second.stdout
    assert "- M1 Review - Tue 2 Feb 2027 10:00-11:00 (Europe/London), chair @you" in (second.stdout)


def test_as_and_in_switch_user_and_channel(tmp_path: Path) -> None:
    result = console(
        tmp_path,
        [
            ":as sam",
            ":in ward-7",
            "/mdt new Review tomorrow at 10am",
            ":as @jo",
            ":in #team",
            "/mdt list",
        ],
    )
    assert result.returncode == 0
    assert "[#ward-7] M1 Review" in result.stdout
    assert "Chair: @sam." in result.stdout
    assert "[only @jo] No upcoming meetings in #team." in result.stdout


def test_times_in_a_dm_are_in_the_recipients_zone(tmp_path: Path) -> None:
    result = console(
        tmp_path,
        [
            ":as tom",
            ":tz America/New_York",
            ":as priya",
            "/mdt new Review tomorrow at 10am with @tom @sam",
        ],
    )
    assert result.returncode == 0
    assert "[#mdt] M1 Review - Tue 2 Feb 2027 10:00-11:00 (Europe/London)" in result.stdout
    assert (
        "[DM @tom] You are invited to M1 Review, Tue 2 Feb 2027 05:00-06:00 (America/New_York)"
        in result.stdout
    )
    assert (
        "[DM @sam] You are invited to M1 Review, Tue 2 Feb 2027 10:00-11:00 (Europe/London)"
        in result.stdout
    )


def test_the_callers_zone_reads_their_times(tmp_path: Path) -> None:
    result = console(
        tmp_path,
        [":tz America/New_York", "/mdt new Review tomorrow at 10am"],
        "--user",
        "ana",
    )
    assert result.returncode == 0
    # Typed in New York: 10:00 there is 15:00 in London, where the channel post is shown.
    assert "[#mdt] M1 Review - Tue 2 Feb 2027 15:00-16:00 (Europe/London)" in result.stdout


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        pytest.param(":clock +3d", "Fri 5 Feb 2027 10:00", id="plus-days"),
        pytest.param(":clock +48h", "Thu 4 Feb 2027 10:00", id="plus-hours"),
        pytest.param(":clock 2027-03-01T09:00:00+00:00", "Tue 2 Mar 2027 10:00", id="iso"),
        pytest.param(":clock 2027-03-01T09:00", "Tue 2 Mar 2027 10:00", id="iso-without-offset"),
    ],
)
def test_clock_moves_the_consoles_time(tmp_path: Path, clock: str, expected: str) -> None:
    result = console(tmp_path, [clock, "/mdt new Review tomorrow at 10am"])
    assert result.returncode == 0
    assert f"M1 Review - {expected}" in result.stdout


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(":tz Mars/Olympus", id="unknown-zone"),
        pytest.param(":tz", id="no-zone"),
        pytest.param(":clock yesterday", id="bad-clock"),
        pytest.param(":clock +3y", id="bad-step"),
        pytest.param(":as", id="no-name"),
        pytest.param(":as two words", id="two-names"),
        pytest.param(":in", id="no-channel"),
        pytest.param(":quit", id="unknown-meta"),
    ],
)
def test_a_bad_meta_line_is_explained(tmp_path: Path, line: str) -> None:
    result = console(tmp_path, [line, "/mdt list"])
    assert result.returncode == 0
    assert result.stdout.startswith(f"[console] Not understood: {line}. Use :as NAME, :in CHANNEL")
    assert ":clock ISO-DATETIME or :clock +3d / +4h." in result.stdout
    assert "[only @you] No upcoming meetings in #mdt." in result.stdout


def test_lines_that_are_not_commands_are_messages(tmp_path: Path) -> None:
    result = console(
        tmp_path,
        [
            "/mdt new Review today at 10am",
            "/mdt start M1",
            "just chatting",
            "",
            "decision: Discharge on Friday because the flat is ready",
        ],
    )
    assert result.returncode == 0
    assert heads(result.stdout) == ["[#mdt]", "[#mdt]", "[#mdt]"]
    assert "[#mdt] Decision D1 recorded in M1: Discharge on Friday" in result.stdout


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = mdtbot("migrate", "--db", url)
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"alembic_version", "workspace", "meeting", "action", "audit_entry"} <= tables
    again = mdtbot("migrate", "--db", url)
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"MDT_TIMEZONE": "Europe/Londn"}, "MDT_TIMEZONE", id="timezone"),
        pytest.param({"MDT_TIMEZONE": ""}, "MDT_TIMEZONE", id="empty-timezone"),
        pytest.param({"MDT_HOLIDAYS": "Wales and England"}, "MDT_HOLIDAYS", id="holidays"),
        pytest.param({"DATABASE_URL": "mdt.db"}, "DATABASE_URL", id="database-url"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = mdtbot("console", stdin="/mdt list\n", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("mdtbot: ")
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "mdt.db").exists()


def test_a_bad_now_is_refused(tmp_path: Path) -> None:
    result = mdtbot("console", "--now", "next tuesday", stdin="", cwd=tmp_path)
    assert result.returncode == 2
    assert "is not an ISO date-time such as 2027-02-01T09:00:00+00:00" in result.stderr


README_SESSION = [
    "/mdt iam Brighton Adult Social Care as social worker",
    "/mdt new Discharge planning case BH-5521 on 4/2/2027 at 10:00 type discharge "
    "with @tom @ward7_nurse",
    ":as tom",
    "/mdt iam Moat Housing as tenancy officer",
    "/mdt attend M1",
    ":as priya",
    ":clock 2027-02-04T10:00",
    "/mdt start M1",
    "decision: Discharge to the flat on 11 Feb because adaptations will be fitted by 10 Feb",
    "action: @tom confirm the grab rails are fitted by 10/2/2027 "
    "measure photo shared with the team",
    "/mdt end M1",
]


def test_a_whole_meeting_played_through_a_pipe(tmp_path: Path) -> None:
    result = console(tmp_path, README_SESSION, "--user", "priya", "--channel", "discharge-team")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert heads(result.stdout)[:11] == [
        "[only @priya]",  # iam
        "[#discharge-team]",  # the meeting card
        "[DM @tom]",  # invitations
        "[DM @ward7_nurse]",
        "[only @tom]",  # iam
        "[only @tom]",  # attend
        "[#discharge-team]",  # started
        "[#discharge-team]",  # decision
        "[#discharge-team]",  # action
        "[DM @tom]",  # the owner is told
        "[#discharge-team]",  # minutes
    ]
    for line in (
        "Your agency is Brighton Adult Social Care (sector: Adult Social Care)",
        "M1 Discharge planning - Thu 4 Feb 2027 10:00-11:00 (Europe/London)",
        "Case: BH-5521.",
        "Present: Adult Social Care (@priya), Housing (@tom).",
        "Not quorate: no one from Health is present.",
        "Decision D1 recorded in M1: Discharge to the flat on 11 Feb",
        "To be ratified: the meeting is not quorate.",
        "Action A1 for @tom, due Wed 10 Feb 2027: confirm the grab rails are fitted",
        "SMART: S M R T; A once @tom accepts.",
        "Minutes of M1 Discharge planning, Thu 4 Feb 2027",
    ):
        assert line in result.stdout, line
