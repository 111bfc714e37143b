"""Platform text from users made safe where it comes in: names on one line in invites, lone
surrogates stored, the console's clock and file names kept in bounds, and a fuzz of hostile
lines through the console with no apology and no crash."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from icalendar import Calendar

from bot.console import safe_filename
from commands.core import Core, CoreSettings
from commands.language.sanitise import display_name, platform_text
from commands.messages import Request, UserRef
from storage.db import Store
from tests.conftest import Console

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
APOLOGY = "Sorry, something went wrong"


class Nobody:
    """A directory that knows no one."""

    def resolve(self, token: str) -> UserRef | None:
        return None


def test_a_name_with_line_breaks_stays_one_line_in_the_invite(store: Store) -> None:
    core = Core(store, CoreSettings())
    forged = "Priya\r\nATTENDEE:mailto:evil@attacker.test\rX-INJECTED:1\x00"
    request = Request(
        "slack", "T1", UserRef("U1", forged), "C1", "new Review on 4/2/2027 at 10:00", NOW
    )
    messages = core.handle_command(request, Nobody())
    [ics] = [a for m in messages for a in m.attachments if a.filename.endswith(".ics")]
    assert b"\r\nATTENDEE:mailto:evil" not in ics.content
    assert b"X-INJECTED" not in ics.content.replace(b"\r\n ", b"").split(b"\r\n")[0]
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert "evil@attacker.test" not in [str(a) for a in event.get("ATTENDEE", [])]
    assert "Priya ATTENDEE:mailto:evil@attacker.test X-INJECTED:1" in str(event["DESCRIPTION"])
    assert not [k for k in event if k.startswith("X-INJECTED")]


def test_names_and_text_are_made_storable() -> None:
    assert display_name("Tom\u2028Reed\n\tx\x7f") == "Tom Reed x"
    assert display_name("a" * 300) == "a" * 100
    assert platform_text("line one\r\nline two\rthree") == "line one\nline two\nthree"
    assert platform_text("lone \udc80 and \ud800") == "lone \ufffd and \ufffd"
    assert platform_text("framed \ue0000\ue001") == "framed 0"
    assert platform_text("an emoji \U0001f600 stays") == "an emoji \U0001f600 stays"


def test_lone_surrogates_are_stored_without_an_apology(console: Console) -> None:
    printed = console(
        "/mdt iam Brighton Adult Social Care as social worker",
        "/mdt new Review \udc80 case on 4/2/2027 at 10:00",
        "/mdt list",
    )
    assert APOLOGY not in printed
    assert "M1 Review \ufffd case" in printed


def test_the_clock_cannot_move_past_the_calendar(console: Console) -> None:
    printed = console(":clock +99999999d", ":clock +999999999999999999999d", "/mdt list")
    assert printed.count("The clock can't move that far") == 2, printed
    assert console.session.now == NOW


def test_file_names_stay_in_the_files_folder(console: Console, tmp_path: Path) -> None:
    assert safe_filename("../../etc/passwd") == "etc-passwd"
    assert safe_filename("review-M1-M2-to-2027-02-01.html") == "review-M1-M2-to-2027-02-01.html"
    assert safe_filename("...") == "file"
    console(
        ":in ../../outside",
        "/mdt iam Brighton Adult Social Care as social worker",
        "/mdt new Review on 1/2/2027 at 10:00",
        "/mdt start M1",
        "/mdt end M1",
        "/mdt review period",
    )
    files = tmp_path / "files"
    written = sorted(p.name for p in files.iterdir())
    assert "M1.ics" in written
    assert any(name.startswith("review-M1") for name in written), written
    assert all("outside" not in name for name in written)
    assert not (tmp_path.parent / "outside").exists()


HOSTILE = [
    "\x00",
    "\x1b[31m",
    "\r",
    "\r\n",
    "\u2028",
    "\udc80",
    "\ud800",
    "\ue000",
    "\ue001",
    "\ue0000\ue001",
    "\ufeff",
    "\u202e",
    "`",
    "*",
    "<at>x</at>",
    "@",
    "@@",
    "#",
    "M99999999999",
    "A0",
    "D-1",
    "99999999999999999999",
    "by",
    "because",
    "measure",
    "on",
    "at",
    "every",
    "31/02/2027",
    "9999-12-31",
    "+99999999d",
    "%s",
    "{{ 7*7 }}",
    "\\",
    '"',
    "' OR 1=1 --",
]
LINES = [
    "/mdt new {} on 4/2/2027 at 10:00 with @tom {}",
    "/mdt decision M1 {} because {}",
    "/mdt action M1 @tom {} by {} measure {}",
    "/mdt agenda M1 {}",
    "/mdt note M1 {}",
    "/mdt {} {}",
    "/mdt show {}",
    "/mdt actions {}",
    "/mdt review M1 keep {}",
    "/mdt move M1 to {}",
    "/mdt done {} {}",
    "decision: {} because {}",
    "action: @tom {} by {}",
    ":clock {}",
    ":in {}",
    ":tz {}",
    "{} {}",
]
FUZZED_LINES = 240


def test_fuzzed_lines_through_the_console_get_no_apology(console: Console) -> None:
    chance = random.Random(20270201)
    console(
        "/mdt iam Brighton Adult Social Care as social worker",
        "/mdt new Review on 1/2/2027 at 10:00 with @tom",
        "/mdt start M1",
    )
    crashes = []
    for _ in range(FUZZED_LINES):
        shape = chance.choice(LINES)
        words = [
            " ".join(chance.choice(HOSTILE) for _ in range(chance.randint(1, 3)))
            for _ in range(shape.count("{}"))
        ]
        line = shape.format(*words)
        try:
            printed = console(line)
        except Exception as error:  # a crash is what this test counts
            crashes.append(f"{line!r}: {type(error).__name__}")
            continue
        if APOLOGY in printed:
            crashes.append(f"{line!r}: apology")
    assert crashes == [], f"{len(crashes)} of {FUZZED_LINES} fuzzed lines crashed:\n" + "\n".join(
        crashes
    )


def test_a_nul_anywhere_in_a_command_is_refused_plainly(console: Console) -> None:
    for line in ("/mdt actions \x00", "/mdt list \x1b[2J", "/mdt show M1\x00"):
        printed = console(line)
        assert "The command contains control characters" in printed, printed
        assert APOLOGY not in printed
