"""The SMART check of actions: the letters, and the reply that says how to fix the others."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from commands.language.smart import check, is_measurable, is_specific, is_time_bound
from commands.language.workdays import WorkingCalendar
from storage.models import Action
from tests.conftest import Console
from tests.support import reading

ENGLAND = WorkingCalendar("England and Wales")
SCOTLAND = WorkingCalendar("Scotland")
MONDAY = date(2027, 2, 1)


@pytest.mark.parametrize(
    ("text", "specific"),
    [
        pytest.param("confirm the grab rails are fitted", True, id="concrete"),
        pytest.param("send the care plan to the GP", True, id="send"),
        pytest.param("look into housing options", False, id="look-into"),
        pytest.param("Look Into the rent arrears", False, id="look-into-any-case"),
        pytest.param("consider a referral to the falls team", False, id="consider"),
        pytest.param("discuss with the family", False, id="discuss"),
        pytest.param("monitor weight weekly", False, id="monitor"),
        pytest.param("follow up with the GP", False, id="follow-up"),
        pytest.param("liaise with housing", False, id="liaise"),
        pytest.param("keep an eye on the gas supply", False, id="keep-an-eye"),
        pytest.param("try to visit", False, id="try-to"),
        pytest.param("purchase a pressure mattress", True, id="chase-inside-a-word"),
        pytest.param("reconsider nothing, book the visit", True, id="consider-inside-a-word"),
        pytest.param("visit", False, id="one-word"),
        pytest.param("", False, id="empty"),
    ],
)
def test_specific(text: str, specific: bool) -> None:
    assert is_specific(text) is specific


@pytest.mark.parametrize(
    ("text", "measure", "measurable"),
    [
        pytest.param("book the OT visit", "visit date in the record", True, id="measure"),
        pytest.param("book the OT visit", None, False, id="no-measure"),
        pytest.param("book the OT visit", "   ", False, id="blank-measure"),
        pytest.param("send the discharge report to the GP", None, True, id="report"),
        pytest.param("photo of the rails shared with the team", None, True, id="shared-with"),
        pytest.param("capacity assessment uploaded to the record", None, True, id="uploaded"),
        pytest.param("tenancy agreement signed", None, True, id="signed"),
        pytest.param("confirm in writing to the family", None, True, id="in-writing"),
        pytest.param("reporter visit", None, False, id="report-inside-a-word"),
    ],
)
def test_measurable(text: str, measure: str | None, measurable: bool) -> None:
    assert is_measurable(text, measure) is measurable


@pytest.mark.parametrize(
    ("due", "calendar", "time_bound"),
    [
        pytest.param(date(2027, 2, 10), ENGLAND, True, id="future-weekday"),
        pytest.param(MONDAY, ENGLAND, False, id="due-today"),
        pytest.param(date(2027, 1, 29), ENGLAND, False, id="past"),
        pytest.param(date(2027, 2, 6), ENGLAND, False, id="saturday"),
        pytest.param(date(2027, 2, 7), ENGLAND, False, id="sunday"),
        pytest.param(date(2027, 3, 29), ENGLAND, False, id="easter-monday"),
        pytest.param(date(2027, 5, 3), ENGLAND, False, id="may-day"),
        pytest.param(date(2027, 11, 30), ENGLAND, True, id="st-andrews-day-in-england"),
        pytest.param(date(2027, 11, 30), SCOTLAND, False, id="st-andrews-day-in-scotland"),
        pytest.param(date(2027, 3, 29), SCOTLAND, True, id="easter-monday-in-scotland"),
    ],
)
def test_time_bound(due: date, calendar: WorkingCalendar, time_bound: bool) -> None:
    assert is_time_bound(due, MONDAY, calendar) is time_bound


def test_check_gives_every_letter() -> None:
    result = check(
        "confirm the grab rails are fitted",
        "photo shared",
        date(2027, 2, 10),
        accepted=False,
        has_meeting=True,
        today=MONDAY,
        calendar=ENGLAND,
    )
    assert result.letters == {"S": True, "M": True, "A": False, "R": True, "T": True}
    assert result.is_smart is False
    accepted = check(
        "confirm the grab rails are fitted",
        "photo shared",
        date(2027, 2, 10),
        accepted=True,
        has_meeting=True,
        today=MONDAY,
        calendar=ENGLAND,
    )
    assert accepted.is_smart is True


def test_check_without_a_meeting_is_not_relevant() -> None:
    result = check(
        "look into it",
        None,
        MONDAY,
        accepted=False,
        has_meeting=False,
        today=MONDAY,
        calendar=ENGLAND,
    )
    assert result.letters == dict.fromkeys("SMART", False)


# Through the console --------------------------------------------------------------------------

SETUP = [
    "/mdt new Discharge planning case BH-5521 today at 10am type discharge with @tom",
    "/mdt start M1",
]


def letters(console: Console, number: int) -> tuple[bool, bool, bool, bool, bool]:
    with reading(console) as session:
        action = session.scalars(select(Action).where(Action.number == number)).one()
        return (
            action.specific,
            action.measurable,
            action.accepted,
            action.relevant,
            action.time_bound,
        )


def test_a_smart_action_needs_only_acceptance(console: Console) -> None:
    console(*SETUP)
    printed = console(
        "action: @tom confirm the grab rails are fitted by 10/2/2027 measure photo shared"
    )
    assert "[#team] Action A1 for @tom, due Wed 10 Feb 2027" in printed
    assert "SMART: S M R T; A once @tom accepts." in printed
    for fix in ("S: ", "M: ", "T: "):
        assert f"\n{fix}" not in printed
    assert letters(console, 1) == (True, True, False, True, True)
    printed = console(":as tom", "/mdt accept A1", ":as priya", "/mdt show M1")
    assert (
        "A1 @tom: confirm the grab rails are fitted, due Wed 10 Feb 2027 [open] SMART: S M A R T"
        in printed
    )
    assert letters(console, 1) == (True, True, True, True, True)


def test_a_vague_action_is_saved_and_flagged_with_fixes(console: Console) -> None:
    console(*SETUP)
    printed = console("action: @tom look into housing options by 10/2/2027")
    assert "Action A1 for @tom, due Wed 10 Feb 2027: look into housing options." in printed
    assert "SMART: R T; A once @tom accepts." in printed
    assert 'S: name a concrete task, not only "look into"' in printed
    assert "M: say how we will know it is done: add `measure <evidence>`." in printed
    assert "\nT: " not in printed
    assert letters(console, 1) == (False, False, False, True, True)


def test_evidence_words_make_an_action_measurable(console: Console) -> None:
    console(*SETUP)
    printed = console("action: @tom send the discharge report to the GP by 10/2/2027")
    assert "SMART: S M R T; A once @tom accepts." in printed
    assert letters(console, 1) == (True, True, False, True, True)


@pytest.mark.parametrize(
    ("due", "warning"),
    [
        pytest.param(
            "3/5/2027",
            "T: Mon 3 May 2027 is not a working day (May Day): the due-date reminder goes on"
            " Fri 30 Apr 2027, the working day before; the next working day is Tue 4 May 2027.",
            id="bank-holiday",
        ),
        pytest.param(
            "29/3/2027",
            "T: Mon 29 Mar 2027 is not a working day (Easter Monday): the due-date reminder goes"
            " on Thu 25 Mar 2027, the working day before; the next working day is Tue 30 Mar 2027.",
            id="easter-monday",
        ),
        pytest.param(
            "6/2/2027",
            "T: Sat 6 Feb 2027 is not a working day: the due-date reminder goes on Fri 5 Feb 2027,"
            " the working day before; the next working day is Mon 8 Feb 2027.",
            id="saturday",
        ),
        pytest.param("today", "T: due today: give a date in the future.", id="due-today"),
    ],
)
def test_a_due_date_off_work_is_accepted_with_a_warning(
    console: Console, due: str, warning: str
) -> None:
    console(*SETUP)
    printed = console(f"action: @tom send the care plan to the GP by {due} measure copy on file")
    assert "Action A1 for @tom" in printed
    assert "SMART: S M R; A once @tom accepts." in printed
    assert warning in printed
    assert "Fix with `/mdt extend A1 to <date> because <reason>`." in printed
    assert letters(console, 1) == (True, True, False, True, False)


def test_moving_the_due_date_to_a_working_day_makes_it_time_bound(console: Console) -> None:
    console(*SETUP)
    console("action: @tom send the care plan to the GP by 3/5/2027 measure copy on file")
    assert letters(console, 1)[4] is False
    console("/mdt extend A1 to 4/5/2027 because 3 May is a bank holiday")
    assert letters(console, 1)[4] is True


def test_an_action_without_owner_or_due_date_is_refused_with_an_example(console: Console) -> None:
    console(*SETUP)
    printed = console("action: send the care plan by friday")
    assert "An action needs exactly one owner, named first with @" in printed
    assert "For example: /mdt action M3 @tom" in printed
    printed = console("action: @tom send the care plan")
    assert "An action needs a due date: add `by <date>`." in printed
    with reading(console) as session:
        assert session.scalars(select(Action)).all() == []


def test_a_day_off_due_tomorrow_names_no_reminder_day_already_past(console: Console) -> None:
    console(":clock 2027-02-05T09:00:00+00:00", *SETUP)
    printed = console("action: @tom send the care plan to the GP by 6/2/2027 measure copy on file")
    assert "T: Sat 6 Feb 2027 is not a working day; the next working day is Mon 8 Feb 2027." in (
        printed
    )
