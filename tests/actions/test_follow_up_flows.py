"""After the meeting: agreeing an extension in a word, review lists, owners joining, holidays."""

from __future__ import annotations

from datetime import date

import pytest

from commands.language.dates import parse_date
from commands.language.workdays import WorkingCalendar
from tests.conftest import Console
from tests.support import blocks, snapshot

CALENDAR = WorkingCalendar()
MEETING = [
    "/mdt new Review case AB-1234 on 3/2/2027 at 10:00 every 2 weeks with @tom",
    ":clock 2027-02-03T10:00",
    "/mdt start M1",
    "action: @tom call the GP by 10/2/2027",
]


@pytest.mark.parametrize("word", ["agree", "Agree", "agreed", "accept", "yes", "ok"])
def test_the_chair_agrees_an_extension_in_a_word(console: Console, word: str) -> None:
    console(*MEETING)
    asked = console(":as tom", "/mdt extend A1 to 12/2/2027 because the GP is away")
    assert "Agree: `/mdt extend A1 agree`. Decline: `/mdt extend A1 decline <reason>`." in asked
    printed = console(":as priya", f"/mdt extend A1 {word}")
    assert "A1 now due Fri 12 Feb 2027 (was Wed 10 Feb 2027) because the GP is away." in printed


def test_agree_needs_a_request_and_the_chair(console: Console) -> None:
    console(*MEETING)
    before = snapshot(console.store)
    assert "Nobody has asked to extend A1." in console("/mdt extend A1 agree")
    console(":as tom", "/mdt extend A1 to 12/2/2027 because away")
    assert "Only @tom (who owns A1)" not in console("/mdt extend A1 agree")  # tom: not chair
    printed = console("/mdt extend A1 agree")
    assert "Only the chair of M1 (@priya) can agree an extension." in printed
    console(":as priya")
    assert snapshot(console.store) != before  # the request itself is kept
    printed = console("/mdt extend A1 decline the GP can see them on the 10th")
    assert "was declined: the GP can see them on the 10th. It stays due Wed 10 Feb 2027." in printed


def test_review_items_are_numbered_per_list(console: Console) -> None:
    console(*MEETING, "/mdt end M1")
    console(
        "/mdt review M1 keep short papers",
        "/mdt review M1 stop late papers",
        "/mdt review M1 start inviting the GP",
        "/mdt review M1 start meeting earlier",
    )
    shown = console("/mdt review M1")
    for listed in ("KEEP\n  1. short papers", "STOP\n  1. late papers", "START\n  1. inviting"):
        assert listed in shown
    assert "  2. meeting earlier" in shown
    printed = console("/mdt review M1 start-action 2 @tom by 19/2/2027")
    assert "due Fri 19 Feb 2027: meeting earlier." in printed
    assert "START item 2 of the review of M1 is now action A2." in printed
    assert "is not a START item" in console("/mdt review M1 start-action 3 @tom by 19/2/2027")
    assert "already action A2" in console("/mdt review M1 start-action 2 @tom by 19/2/2027")


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("/mdt review M1 strat invite the GP", "/mdt review M1 start invite the GP"),
        ("/mdt review M1 stpo late papers", "/mdt review M1 stop late papers"),
        ("/mdt review M1 kep short papers", "/mdt review M1 keep short papers"),
        ("/mdt review M1 clsoe", "/mdt review M1 close"),
        ("/mdt review seires M1", "/mdt review series M1"),
        ("/mdt review peroid from 1/1", "/mdt review period from 1/1"),
    ],
)
def test_review_words_get_did_you_mean(console: Console, line: str, meant: str) -> None:
    console(*MEETING, "/mdt end M1")
    before = snapshot(console.store)
    printed = console(line)
    assert "Did you mean" in printed
    assert f"For example: {meant}" in printed
    assert snapshot(console.store) == before


def test_a_reassigned_owner_can_attend_the_next_meeting(console: Console) -> None:
    console(*MEETING, "/mdt end M1", "/mdt reassign A1 to @kate")
    printed = console(":as kate", "/mdt attend M2")
    assert "You are attending M2 on Wed 17 Feb 2027 10:00." in printed
    assert "You own A1, carried to this meeting, so you are now invited" in printed
    assert "[DM @priya] @kate owns A1, carried to M2 Review" in printed
    assert "Only people invited" in console(":as zed", "/mdt attend M2")


@pytest.mark.parametrize(
    ("said", "today", "due"),
    [
        ("end of week", date(2026, 12, 22), date(2026, 12, 24)),  # Fri 25 Dec: Thu 24
        ("end of the week", date(2026, 12, 21), date(2026, 12, 24)),
        ("end of next week", date(2026, 12, 22), date(2026, 12, 31)),  # Fri 1 Jan
        ("end of week", date(2027, 3, 22), date(2027, 3, 25)),  # Good Friday
        ("end of week", date(2027, 2, 1), date(2027, 2, 5)),
    ],
)
def test_end_of_week_is_its_last_working_day(said: str, today: date, due: date) -> None:
    assert parse_date(said, today, CALENDAR) == due


@pytest.mark.parametrize(
    ("said", "due"),
    [("1/1", date(2027, 1, 1)), ("1 Jan", date(2027, 1, 1)), ("1 Mar", date(2026, 3, 1))],
)
def test_looking_back_a_date_without_a_year_is_the_last_one(said: str, due: date) -> None:
    assert parse_date(said, date(2027, 2, 4), CALENDAR, looking_back=True) == due
    assert parse_date("1/1/2028", date(2027, 2, 4), CALENDAR, looking_back=True).year == 2028


def test_review_period_without_years(console: Console) -> None:
    console.session.now = console.session.now.replace(day=4)
    printed = console("/mdt review period from 1/1 to end of month")
    assert "after it ends" not in printed
    assert "Sat 1 Jan 2028" not in printed


@pytest.mark.parametrize(
    ("line", "note"),
    [
        ("/mdt new Xmas on 25/12/2027 at 10:00", "M1 is on Sat 25 Dec 2027, Christmas Day"),
        ("/mdt new Boxing on 28/12/2027 at 10:00", "Boxing Day (observed), a bank holiday"),
        ("/mdt new Sat on 6/2/2027 at 10:00", "M1 is on Sat 6 Feb 2027, a weekend"),
    ],
)
def test_a_meeting_on_a_non_working_day_warns_the_chair(
    console: Console, line: str, note: str
) -> None:
    found = blocks(console(line))
    assert found[-1].startswith("[only @priya] Note: ")
    assert note in found[-1]
    assert "/mdt move M1 to " in found[-1]


def test_a_meeting_on_a_working_day_has_no_note(console: Console) -> None:
    assert "Note:" not in console("/mdt new Review on 3/2/2027 at 10:00")
    assert "Note:" in console("/mdt move M1 to 25/12/2027")
