"""The /mdt language: trailing clauses, and `/mdt new` parsed through the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from commands.errors import CommandError
from commands.language.dates import parse_duration, parse_time
from commands.language.grammar import (
    ClauseKind,
    clean_text,
    first_word,
    meeting_number,
    nearest,
    read_case_ref,
    read_rest,
    read_word,
    scan_clauses,
    split_word,
)
from storage.models import Meeting
from tests.conftest import Console
from tests.support import reading, snapshot

LONDON = ZoneInfo("Europe/London")

KINDS = [
    ClauseKind("time", frozenset({"at"}), lambda words: parse_time(" ".join(words))),
    ClauseKind("duration", frozenset({"for"}), lambda words: parse_duration(" ".join(words))),
    ClauseKind("case", frozenset({"case"}), read_case_ref),
    ClauseKind("type", frozenset({"type"}), read_word),
    ClauseKind("with", frozenset({"with"}), read_rest),
]


def scan(text: str) -> tuple[str, dict[str, object]]:
    found = scan_clauses(text.split(), KINDS)
    return found.head_text, found.values


# scan_clauses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "head", "values"),
    [
        pytest.param("Review at 10:00", "Review", {"time": time(10)}, id="one-clause"),
        pytest.param(
            "Review at 10:00 for 1h30 type debrief",
            "Review",
            {"time": time(10), "duration": timedelta(minutes=90), "type": "debrief"},
            id="several-clauses",
        ),
        pytest.param(
            "Review type debrief for 30m at 2.30pm",
            "Review",
            {"time": time(14, 30), "duration": timedelta(minutes=30), "type": "debrief"},
            id="any-order",
        ),
        pytest.param(
            "Meeting at home at 10am",
            "Meeting at home",
            {"time": time(10)},
            id="clause-word-in-title-kept-once-kind-found",
        ),
        pytest.param(
            "Planning for discharge at 10:00",
            "Planning for discharge",
            {"time": time(10)},
            id="for-in-title-is-not-a-duration",
        ),
        pytest.param(
            "Complex case conference at 10:00",
            "Complex case conference",
            {"time": time(10)},
            id="case-word-without-a-reference",
        ),
        pytest.param(
            "Discharge planning case BH-5521 at 10:00 case bh-5521",
            "Discharge planning case BH-5521",
            {"time": time(10), "case": "BH-5521"},
            id="case-twice-title-keeps-the-first",
        ),
        pytest.param("Review with sam and jo", "Review", {"with": "sam and jo"}, id="with-rest"),
        pytest.param(
            "Review at 10:00 with @a @b",
            "Review",
            {"with": "@a @b", "time": time(10)},
            id="with-then-time",
        ),
        pytest.param("Type 2 diabetes review", "Type 2 diabetes review", {}, id="type-word-start"),
        pytest.param("", "", {}, id="empty"),
        pytest.param("at", "at", {}, id="starter-alone"),
    ],
)
def test_scan_reads_trailing_clauses(text: str, head: str, values: dict[str, object]) -> None:
    assert scan(text) == (head, values)


def test_scan_keeps_the_reason_a_clause_did_not_read() -> None:
    found = scan_clauses(["Review", "at", "25:00"], KINDS)
    assert found.head_text == "Review at 25:00"
    assert found.values == {}
    (kind, span, error) = found.failures[-1]
    assert (kind, span) == ("time", "at 25:00")
    assert "25:00" in error
    assert "hours run from 00 to 23" in error


def test_scan_failures_are_longest_first() -> None:
    found = scan_clauses(["Review", "for", "1h", "at", "25:00"], KINDS)
    assert [span for _kind, span, _error in found.failures] == ["for 1h at 25:00", "at 25:00"]


# Small readers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "number"),
    [
        pytest.param("M3", 3, id="upper"),
        pytest.param("m17", 17, id="lower"),
        pytest.param("M", None, id="no-number"),
        pytest.param("M3x", None, id="trailing"),
        pytest.param("A3", None, id="action-ref"),
        pytest.param("M1234567890", None, id="too-long"),
    ],
)
def test_meeting_refs(token: str, number: int | None) -> None:
    assert meeting_number(token) == number


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param(["ab-1234"], "AB-1234", id="upper-cased"),
        pytest.param(["BH/5521"], "BH/5521", id="slash"),
        pytest.param(["notes"], None, id="a-word-without-digit"),
        pytest.param(["AB", "1234"], None, id="two-words"),
        pytest.param(["-1234"], None, id="leading-dash"),
    ],
)
def test_case_references(words: list[str], expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="case reference"):
            read_case_ref(words)
    else:
        assert read_case_ref(words) == expected


def test_split_word_needs_a_stand_alone_word() -> None:
    assert split_word("fitted because the GP said so", "because") == ("fitted", "the GP said so")
    assert split_word("becausewe said", "because") == ("becausewe said", None)
    assert split_word("Decided BECAUSE risk", "because") == ("Decided", "risk")


def test_first_word() -> None:
    assert first_word("  show   M1 ") == ("show", "M1")
    assert first_word("") == ("", "")


def test_clean_text_folds_space_and_refuses_control_characters() -> None:
    assert clean_text("a \t b\n c") == "a b c"
    with pytest.raises(CommandError) as refused:
        clean_text("bell\x07", what="the title")
    assert refused.value.name == "control_characters"
    with pytest.raises(CommandError) as long:
        clean_text("x" * 21, limit=20)
    assert long.value.name == "too_long"
    assert long.value.context["length"] == 21


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        pytest.param("shwo", "show", id="swapped"),
        pytest.param("acton", "action", id="missing-letter"),
        pytest.param("minuts", "minutes", id="minutes"),
        pytest.param("xyzzy", None, id="nothing-close"),
    ],
)
def test_nearest(typed: str, meant: str | None) -> None:
    assert nearest(typed, ["show", "action", "actions", "minutes", "new"]) == meant


# /mdt new through the console ----------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What a `/mdt new` line should have stored."""

    title: str
    start: datetime
    length: timedelta = timedelta(hours=1)
    case_ref: str | None = None
    meeting_type: str | None = None
    series: str | None = None
    invitees: tuple[str, ...] = ()


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# The console's clock: Monday 1 Feb 2027, 09:00 in London.
NEW_CASES = [
    pytest.param(
        "Planning for discharge on 4/2/2027 at 10:00",
        Expected("Planning for discharge", local(2027, 2, 4, 10)),
        id="for-and-on-in-order",
    ),
    pytest.param(
        "Planning for discharge on Monday on 4/2/2027 at 10:00",
        Expected("Planning for discharge on Monday", local(2027, 2, 4, 10)),
        id="clause-words-in-title",
    ),
    pytest.param(
        "Discharge planning case BH-5521 on 4/2/2027 at 10:00 for 1h type discharge "
        "case BH-5521 with @tom @ward7_nurse",
        Expected(
            "Discharge planning case BH-5521",
            local(2027, 2, 4, 10),
            case_ref="BH-5521",
            meeting_type="discharge",
            invitees=("tom", "ward7_nurse"),
        ),
        id="contract-example",
    ),
    pytest.param(
        "Complex case conference tomorrow at 10am",
        Expected("Complex case conference", local(2027, 2, 2, 10)),
        id="case-in-title",
    ),
    pytest.param(
        "Review case notes tomorrow at 10am case AB-12",
        Expected("Review case notes", local(2027, 2, 2, 10), case_ref="AB-12"),
        id="case-notes-and-a-case",
    ),
    pytest.param(
        "Review tomorrow at 10am",
        Expected("Review", local(2027, 2, 2, 10)),
        id="tomorrow-without-on",
    ),
    pytest.param(
        "Review next friday at 14:00",
        Expected("Review", local(2027, 2, 12, 14)),
        id="next-friday-is-next-week",
    ),
    pytest.param(
        "Review friday at 14:00",
        Expected("Review", local(2027, 2, 5, 14)),
        id="friday-is-this-week",
    ),
    pytest.param(
        "Review on friday at noon",
        Expected("Review", local(2027, 2, 5, 12)),
        id="on-friday-at-noon",
    ),
    pytest.param(
        "Review in 5 working days at 9:30",
        Expected("Review", local(2027, 2, 8, 9, 30)),
        id="in-working-days",
    ),
    pytest.param(
        "Review within 5 working days at 9:30",
        Expected("Review", local(2027, 2, 8, 9, 30)),
        id="within-working-days",
    ),
    pytest.param(
        "Review in 2 weeks at 2.30pm",
        Expected("Review", local(2027, 2, 15, 14, 30)),
        id="in-weeks",
    ),
    pytest.param(
        "Review on 1 December 2027 at 2.30pm",
        Expected("Review", local(2027, 12, 1, 14, 30)),
        id="long-date",
    ),
    pytest.param(
        "Review on 2027-03-29 at 10:00",
        Expected("Review", local(2027, 3, 29, 10)),
        id="iso-date-after-clock-change",
    ),
    pytest.param(
        "Review every 4 weeks tomorrow at 10am",
        Expected("Review", local(2027, 2, 2, 10), series="every 4 weeks"),
        id="every-4-weeks",
    ),
    pytest.param(
        "Review tomorrow at 10am fortnightly",
        Expected("Review", local(2027, 2, 2, 10), series="every 2 weeks"),
        id="fortnightly",
    ),
    pytest.param(
        "Review tomorrow at 10am monthly",
        Expected("Review", local(2027, 2, 2, 10), series="every month"),
        id="monthly",
    ),
    pytest.param(
        "Review tomorrow at 10am for 90 minutes",
        Expected("Review", local(2027, 2, 2, 10), length=timedelta(minutes=90)),
        id="minutes-duration",
    ),
    pytest.param(
        "Review tomorrow at 10am for 1h30",
        Expected("Review", local(2027, 2, 2, 10), length=timedelta(minutes=90)),
        id="h-and-minutes-duration",
    ),
    pytest.param(
        "Review tomorrow at 10am for 30m",
        Expected("Review", local(2027, 2, 2, 10), length=timedelta(minutes=30)),
        id="short-duration",
    ),
    pytest.param(
        "Review tomorrow at 10am type complex-case case CC-12",
        Expected(
            "Review",
            local(2027, 2, 2, 10),
            length=timedelta(minutes=90),
            case_ref="CC-12",
            meeting_type="complex-case",
        ),
        id="type-default-length",
    ),
    pytest.param(
        "Review tomorrow at 10am type STRATEGY for 2h case AB-12",
        Expected(
            "Review",
            local(2027, 2, 2, 10),
            length=timedelta(hours=2),
            case_ref="AB-12",
            meeting_type="strategy",
        ),
        id="type-any-case-duration-wins",
    ),
    pytest.param(
        "Review tomorrow at 10am with @a @b",
        Expected("Review", local(2027, 2, 2, 10), invitees=("a", "b")),
        id="with-two-people",
    ),
    pytest.param(
        "Review tomorrow at 10am with @a, @b, @a",
        Expected("Review", local(2027, 2, 2, 10), invitees=("a", "b")),
        id="with-commas-and-repeats",
    ),
    pytest.param(
        "Meeting with housing tomorrow at 10am",
        Expected("Meeting with housing", local(2027, 2, 2, 10)),
        id="with-in-title",
    ),
    pytest.param(
        "Meeting at home tomorrow at 10am",
        Expected("Meeting at home", local(2027, 2, 2, 10)),
        id="at-in-title",
    ),
    pytest.param(
        "Type 2 diabetes review tomorrow at 10am",
        Expected("Type 2 diabetes review", local(2027, 2, 2, 10)),
        id="type-in-title",
    ),
    pytest.param(
        "Friday huddle on 5/2/2027 at 9am",
        Expected("Friday huddle", local(2027, 2, 5, 9)),
        id="weekday-in-title",
    ),
    pytest.param(
        "Review   tomorrow    at   10am",
        Expected("Review", local(2027, 2, 2, 10)),
        id="extra-spaces",
    ),
]


@pytest.mark.parametrize(("line", "expected"), NEW_CASES)
def test_new_reads_every_clause(console: Console, line: str, expected: Expected) -> None:
    printed = console(f"/mdt new {line}")
    assert printed.startswith("[#team] M1 "), printed
    with reading(console) as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.title == expected.title
        assert meeting.starts_at == expected.start.astimezone(UTC)
        assert meeting.ends_at - meeting.starts_at == expected.length
        assert meeting.case_ref == expected.case_ref
        assert meeting.meeting_type == expected.meeting_type
        assert meeting.series_interval == expected.series
        invited = sorted(i.person.display_name for i in meeting.invitations if i.role != "chair")
        assert invited == sorted(expected.invitees)
        assert meeting.chair.display_name == "priya"


def test_new_echoes_the_resolved_date(console: Console) -> None:
    printed = console("/mdt new Review next friday at 14:00")
    assert "M1 Review - Fri 12 Feb 2027 14:00-15:00 (Europe/London)" in printed


@pytest.mark.parametrize(
    ("line", "words"),
    [
        pytest.param(
            "Review tomorrow at 25:00", ["'25:00' is not a valid time", "For example:"], id="time"
        ),
        pytest.param(
            "Review on 31/02/2027 at 10:00",
            ["'31/02/2027' does not exist", "February 2027 has 28 days", "For example:"],
            id="date-that-does-not-exist",
        ),
        pytest.param(
            "Review on 3/2/2027 at 10:00 for 25 hours",
            ["at most 12 hours", "For example:"],
            id="duration",
        ),
        pytest.param(
            "Review on 3/2/2027 at 10:00 with bob",
            ["I don't know who bob is", "For example:"],
            id="bare-unknown-name",
        ),
        pytest.param(
            "Review at 10:00",
            ["When is the meeting? Add `on <date>`.", "For example:"],
            id="no-date",
        ),
        pytest.param(
            "Review on 3/2/2027",
            ["What time does the meeting start?", "For example:"],
            id="no-time",
        ),
        pytest.param("on 3/2/2027 at 10:00", ["needs a title", "For example:"], id="no-title"),
        pytest.param(
            "Review tomorrow at 10am type strat",
            ["no meeting type `strat`", "Did you mean `strategy`?", "Types: complex-case"],
            id="type-typo",
        ),
        pytest.param(
            "Review tomorrow at 10am type dischrage",
            ["Did you mean `discharge`?"],
            id="type-transposed",
        ),
        pytest.param(
            "Review tomorrow at 10am type xyz",
            ["no meeting type `xyz`", "Types: complex-case, debrief, discharge"],
            id="type-unknown",
        ),
    ],
)
def test_new_explains_what_it_could_not_read(console: Console, line: str, words: list[str]) -> None:
    before = snapshot(console.store)
    printed = console(f"/mdt new {line}")
    assert printed.startswith("[only @priya] "), printed
    for word in words:
        assert word in printed
    assert snapshot(console.store) == before


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        pytest.param("shwo M1", "show", id="shwo"),
        pytest.param("acton M1 @tom x by friday", "action", id="acton"),
        pytest.param("minuts M1", "minutes", id="minuts"),
        pytest.param("invit M1 @x", "invite", id="invit"),
        pytest.param("SHOWW M1", "show", id="upper-case"),
        pytest.param("shedule Review tomorrow at 10am", "new", id="alias-of-new"),
    ],
)
def test_mistyped_command_words_get_did_you_mean(console: Console, typed: str, meant: str) -> None:
    before = snapshot(console.store)
    printed = console(f"/mdt {typed}")
    word = typed.split(maxsplit=1)[0]
    assert f"I don't know `/mdt {word}`. Did you mean `/mdt {meant}`?" in printed
    assert "`/mdt help` lists every command." in printed
    assert snapshot(console.store) == before


def test_unknown_command_word_without_a_near_one(console: Console) -> None:
    printed = console("/mdt xyzzy")
    assert "I don't know `/mdt xyzzy`. `/mdt help` lists every command." in printed
    assert "Did you mean" not in printed


def test_help_for_a_mistyped_command(console: Console) -> None:
    printed = console("/mdt help acton")
    assert "Did you mean `/mdt action`?" in printed


def test_empty_command_shows_help(console: Console) -> None:
    printed = console("/mdt")
    assert printed.startswith("[only @priya] MDT assistant")
    assert "/mdt new <title>" in printed


@pytest.mark.parametrize(
    "word",
    [pytest.param(w, id=w) for w in ["new", "schedule", "create", "NEW", "New"]],
)
def test_command_words_and_aliases_any_case(console: Console, word: str) -> None:
    printed = console(f"/mdt {word} Review tomorrow at 10am")
    assert printed.startswith("[#team] M1 Review - Tue 2 Feb 2027 10:00-11:00")


def test_a_known_name_without_the_at_still_names_the_person(console: Console) -> None:
    console("/mdt new First today at 9:30 with @tom")
    printed = console("/mdt new Review today at 10am with tom")
    assert "Invited: @tom." in printed
    printed = console("/mdt invite M2 sam")
    assert printed.startswith("[only @priya] Who should be invited?")
    printed = console("/mdt start M2", "/mdt action M2 tom send the plan to the GP by friday")
    assert "Action A1 for @tom, due Fri 5 Feb 2027: send the plan to the GP." in printed


def test_a_mention_inside_an_action_is_part_of_the_task(console: Console) -> None:
    console("/mdt new Review today at 10am", "/mdt start M1")
    printed = console("action: @tom send the plan to @sam by friday")
    assert "Action A1 for @tom, due Fri 5 Feb 2027: send the plan to @sam." in printed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Discharge on Thursday because: rails fitted",
            ("Discharge on Thursday", "rails fitted"),
            id="colon",
        ),
        pytest.param("Discharge because rails fitted", ("Discharge", "rails fitted"), id="plain"),
        pytest.param(
            "Discharge becauseof rails", ("Discharge becauseof rails", None), id="not-a-word"
        ),
    ],
)
def test_a_keyword_may_carry_a_colon(text: str, expected: tuple[str, str | None]) -> None:
    assert split_word(text, "because") == expected
