"""Tests for parsing and formatting dates, times, durations and intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from commands.language.dates import (
    WEEKDAY_RULE,
    DateError,
    Interval,
    format_date,
    format_datetime,
    format_duration,
    format_time,
    parse_date,
    parse_duration,
    parse_interval,
    parse_time,
    parse_when,
)
from commands.language.workdays import WorkingCalendar

ENGLAND = WorkingCalendar("England and Wales")
SCOTLAND = WorkingCalendar("Scotland")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)
JAN_31 = date(2027, 1, 31)  # a Sunday
DEC_30 = date(2026, 12, 30)  # a Wednesday
NEW_YEARS_EVE = date(2026, 12, 31)

HOUR = timedelta(hours=1)


def _cases(today: date, table: dict[str, date]) -> list[Any]:
    return [
        pytest.param(phrase, today, expected, id=f"{phrase.strip()} | {today.isoformat()}")
        for phrase, expected in table.items()
    ]


def _assert_error(excinfo: pytest.ExceptionInfo[DateError], *fragments: str) -> None:
    message = str(excinfo.value)
    assert message == excinfo.value.message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message


# Calendar dates ---------------------------------------------------------------

ABSOLUTE = [
    *_cases(
        MONDAY,
        {
            "2026-12-01": date(2026, 12, 1),
            "2027-1-5": date(2027, 1, 5),
            "1 Dec": date(2026, 12, 1),
            "1 December": date(2026, 12, 1),
            "1 Dec 2026": date(2026, 12, 1),
            "1 December 2026": date(2026, 12, 1),
            "1 December, 2026": date(2026, 12, 1),
            "1st December": date(2026, 12, 1),
            "1st of December": date(2026, 12, 1),
            "the 1st of december": date(2026, 12, 1),
            "2nd Dec": date(2026, 12, 2),
            "3rd Dec": date(2026, 12, 3),
            "4th Dec": date(2026, 12, 4),
            "Dec 1": date(2026, 12, 1),
            "December 1st 2026": date(2026, 12, 1),
            "1 Sept": date(2027, 9, 1),
            "1/12/2026": date(2026, 12, 1),
            "1/12/26": date(2026, 12, 1),
            "1/12": date(2026, 12, 1),
            "01/12/2026": date(2026, 12, 1),
            "01.12.2026": date(2026, 12, 1),
            "1.12.26": date(2026, 12, 1),
            "1-12-2026": date(2026, 12, 1),
            "  1/12/2026  ": date(2026, 12, 1),
            "1 DEC 2026": date(2026, 12, 1),
            "on 1/12/2026": date(2026, 12, 1),
            "by 1 Dec": date(2026, 12, 1),
            "Tue 1 Dec 2026": date(2026, 12, 1),
            "Tue, 1 Dec 2026": date(2026, 12, 1),
            "tuesday 1 december 2026": date(2026, 12, 1),
            "tue 1/12/2026": date(2026, 12, 1),
            "23/11": date(2026, 11, 23),
            "22/11": date(2027, 11, 22),
            "1/3": date(2027, 3, 1),
            "1 Jan": date(2027, 1, 1),
            "29/2/2028": date(2028, 2, 29),
            "1/6/2025": date(2025, 6, 1),
        },
    ),
    *_cases(
        DEC_30,
        {
            "1/1": date(2027, 1, 1),
            "30/12": date(2026, 12, 30),
            "31 Dec": date(2026, 12, 31),
            "29 Dec": date(2027, 12, 29),
            "1 Jan 2027": date(2027, 1, 1),
        },
    ),
    *_cases(
        JAN_31,
        {
            "31/1": date(2027, 1, 31),
            "1 Feb": date(2027, 2, 1),
            "30 Jan": date(2028, 1, 30),
        },
    ),
    *_cases(date(2028, 1, 31), {"29/2": date(2028, 2, 29), "29 Feb": date(2028, 2, 29)}),
    *_cases(date(2027, 3, 1), {"29/2": date(2028, 2, 29), "28/2": date(2028, 2, 28)}),
]


@pytest.mark.parametrize(("phrase", "today", "expected"), ABSOLUTE)
def test_parse_calendar_dates(phrase: str, today: date, expected: date) -> None:
    assert parse_date(phrase, today, ENGLAND) == expected


# Relative dates -----------------------------------------------------------------

RELATIVE = [
    *_cases(
        MONDAY,
        {
            "today": MONDAY,
            "Tomorrow": date(2026, 11, 24),
            "in 1 day": date(2026, 11, 24),
            "in 3 days": date(2026, 11, 26),
            "in two days": date(2026, 11, 25),
            "in a week": date(2026, 11, 30),
            "in one week": date(2026, 11, 30),
            "in 2 weeks": date(2026, 12, 7),
            "in a fortnight": date(2026, 12, 7),
            "in 1 month": date(2026, 12, 23),
            "in 2 months": date(2027, 1, 23),
            "in 5 working days": date(2026, 11, 30),
            "within 5 working days": date(2026, 11, 30),
            "in 3 business days": date(2026, 11, 26),
            "in 1 working day": date(2026, 11, 24),
            "end of week": FRIDAY,
            "end of the week": FRIDAY,
            "end of this week": FRIDAY,
            "end of next week": date(2026, 12, 4),
            "end of month": date(2026, 11, 30),
            "the end of the month": date(2026, 11, 30),
            "end of next month": date(2026, 12, 31),
        },
    ),
    *_cases(
        FRIDAY,
        {
            "end of week": FRIDAY,
            "end of next week": date(2026, 12, 4),
            "in 1 working day": date(2026, 11, 30),
        },
    ),
    *_cases(
        SATURDAY,
        {
            "end of week": date(2026, 12, 4),
            "end of next week": date(2026, 12, 4),
            "in 1 working day": date(2026, 11, 30),
            "in 5 working days": date(2026, 12, 4),
            "tomorrow": SUNDAY,
        },
    ),
    *_cases(SUNDAY, {"end of week": date(2026, 12, 4)}),
    *_cases(
        JAN_31,
        {
            "in 1 month": date(2027, 2, 28),
            "in 3 months": date(2027, 4, 30),
            "in 13 months": date(2028, 2, 29),
            "end of month": date(2027, 1, 31),
            "end of next month": date(2027, 2, 28),
            "end of week": date(2027, 2, 5),
            "tomorrow": date(2027, 2, 1),
        },
    ),
    *_cases(
        DEC_30,
        {
            "tomorrow": NEW_YEARS_EVE,
            "in 3 days": date(2027, 1, 2),
            "in 2 weeks": date(2027, 1, 13),
            "in 1 month": date(2027, 1, 30),
            "in 5 working days": date(2027, 1, 7),
            "end of month": NEW_YEARS_EVE,
            "end of next month": date(2027, 1, 31),
            "end of week": NEW_YEARS_EVE,  # Fri 1 Jan is a bank holiday
            "end of next week": date(2027, 1, 8),
        },
    ),
    *_cases(NEW_YEARS_EVE, {"tomorrow": date(2027, 1, 1), "end of month": NEW_YEARS_EVE}),
]


@pytest.mark.parametrize(("phrase", "today", "expected"), RELATIVE)
def test_parse_relative_dates(phrase: str, today: date, expected: date) -> None:
    assert parse_date(phrase, today, ENGLAND) == expected


# The weekday rule -----------------------------------------------------------------

WEEKDAYS = [
    *_cases(
        MONDAY,
        {
            "friday": date(2026, 11, 27),
            "Fri": date(2026, 11, 27),
            "on friday": date(2026, 11, 27),
            "this friday": date(2026, 11, 27),
            "next friday": date(2026, 12, 4),
            "monday": date(2026, 11, 30),
            "next monday": date(2026, 11, 30),
            "tuesday": date(2026, 11, 24),
            "tues": date(2026, 11, 24),
            "next tuesday": date(2026, 12, 1),
            "sunday": SUNDAY,
            "next sunday": date(2026, 12, 6),
            "thurs": date(2026, 11, 26),
        },
    ),
    *_cases(
        FRIDAY,
        {
            "friday": date(2026, 12, 4),
            "this friday": date(2026, 12, 4),
            "next friday": date(2026, 12, 4),
            "thursday": date(2026, 12, 3),
            "next thursday": date(2026, 12, 3),
            "saturday": SATURDAY,
            "next saturday": date(2026, 12, 5),
            "mon": date(2026, 11, 30),
            "next mon": date(2026, 11, 30),
        },
    ),
    *_cases(
        SATURDAY,
        {
            "friday": date(2026, 12, 4),
            "next friday": date(2026, 12, 4),
            "sunday": SUNDAY,
            "next sunday": date(2026, 12, 6),
        },
    ),
    *_cases(
        SUNDAY,
        {
            "friday": date(2026, 12, 4),
            "next friday": date(2026, 12, 4),
            "monday": date(2026, 11, 30),
            "next monday": date(2026, 11, 30),
            "sunday": date(2026, 12, 6),
            "next sunday": date(2026, 12, 6),
        },
    ),
    *_cases(
        DEC_30,
        {
            "friday": date(2027, 1, 1),
            "next friday": date(2027, 1, 8),
            "wed": date(2027, 1, 6),
        },
    ),
]


@pytest.mark.parametrize(("phrase", "today", "expected"), WEEKDAYS)
def test_weekday_rule(phrase: str, today: date, expected: date) -> None:
    assert parse_date(phrase, today, ENGLAND) == expected


def test_weekday_rule_is_a_user_facing_sentence() -> None:
    assert "next friday" in WEEKDAY_RULE
    assert "next Monday" in WEEKDAY_RULE
    assert WEEKDAY_RULE.endswith(".")


# Working days across holidays -----------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "today", "expected"),
    [
        pytest.param(ENGLAND, date(2026, 12, 23), date(2027, 1, 4), id="christmas-england"),
        pytest.param(SCOTLAND, date(2026, 12, 23), date(2027, 1, 5), id="christmas-scotland"),
        pytest.param(ENGLAND, date(2027, 3, 24), date(2027, 4, 2), id="easter-england"),
        pytest.param(SCOTLAND, date(2027, 3, 24), date(2027, 4, 1), id="easter-scotland"),
        pytest.param(ENGLAND, date(2026, 12, 24), date(2027, 1, 5), id="christmas-eve-england"),
    ],
)
def test_in_5_working_days_over_holidays(
    calendar: WorkingCalendar, today: date, expected: date
) -> None:
    assert parse_date("in 5 working days", today, calendar) == expected


@pytest.mark.parametrize(
    ("today", "england", "scotland"),
    [
        pytest.param(date(2025, 12, 31), date(2026, 1, 2), date(2026, 1, 5), id="2-january"),
        pytest.param(date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1), id="st-andrew"),
        pytest.param(
            date(2025, 11, 28), date(2025, 12, 1), date(2025, 12, 2), id="st-andrew-substitute"
        ),
    ],
)
def test_next_working_day_differs_by_nation(today: date, england: date, scotland: date) -> None:
    assert parse_date("in 1 working day", today, ENGLAND) == england
    assert parse_date("in 1 working day", today, SCOTLAND) == scotland


# Date errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "31/02/2027",
        "29/2/2027",
        "2027-02-29",
        "32 Jan",
        "0/1",
        "31 April",
        "30/2",
        "31/11/2026",
        "1/13/2026",
        "0 Dec 2026",
        "Thu 31/02/2027",
    ],
)
def test_dates_that_do_not_exist(phrase: str) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_date(phrase, MONDAY, ENGLAND)
    _assert_error(excinfo, "does not exist", "for example")


def test_31_february_says_how_many_days_february_has() -> None:
    with pytest.raises(DateError) as excinfo:
        parse_date("31/02/2027", MONDAY, ENGLAND)
    _assert_error(excinfo, "'31/02/2027' does not exist", "February 2027 has 28 days")


@pytest.mark.parametrize("today", [MONDAY, JAN_31, date(2027, 2, 28)], ids=str)
def test_year_less_29_february_in_a_common_year(today: date) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_date("29/2", today, ENGLAND)
    _assert_error(excinfo, "does not exist", "February 2027 has 28 days")


@pytest.mark.parametrize(
    "phrase",
    [
        "soonish",
        "the 5th of never",
        "friday-ish",
        "",
        "   ",
        "next",
        "next week",
        "last friday",
        "in days",
        "in -3 days",
        "in 3",
        "1/2/3/4",
        "tomorrow tomorrow",
        "fri tomorrow",
        "end of year",
        "12 Decembre",
        "2026-12",
        "yesterday",
    ],
)
def test_garbage_dates_list_examples(phrase: str) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_date(phrase, MONDAY, ENGLAND)
    _assert_error(excinfo, "could not understand", "for example", "1/12/2026", "next friday")


@pytest.mark.parametrize(
    ("phrase", "actual", "said"),
    [
        ("Thu 4 Dec 2026", "Friday", "Thursday"),
        ("Mon 1 Dec 2026", "Tuesday", "Monday"),
        ("friday 3/12/2026", "Thursday", "Friday"),
        ("sun 1 dec", "Tuesday", "Sunday"),
    ],
)
def test_contradicting_weekday_is_an_error(phrase: str, actual: str, said: str) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_date(phrase, MONDAY, ENGLAND)
    _assert_error(excinfo, f"is a {actual}, not a {said}")


def test_agreeing_weekday_is_accepted() -> None:
    assert parse_date("Fri 4 Dec 2026", MONDAY, ENGLAND) == date(2026, 12, 4)


def test_date_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="could not understand"):
        parse_date("soonish", MONDAY, ENGLAND)


# Times ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("10:00", time(10, 0)),
        ("9:30", time(9, 30)),
        ("09:30", time(9, 30)),
        ("0:15", time(0, 15)),
        ("23:59", time(23, 59)),
        ("10.30", time(10, 30)),
        ("10am", time(10, 0)),
        ("10 am", time(10, 0)),
        ("10AM", time(10, 0)),
        ("10 a.m.", time(10, 0)),
        ("10.30am", time(10, 30)),
        ("2.30pm", time(14, 30)),
        ("2:30 pm", time(14, 30)),
        ("14:30", time(14, 30)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("12:15am", time(0, 15)),
        ("noon", time(12, 0)),
        ("midday", time(12, 0)),
        ("12 noon", time(12, 0)),
        (" at 10am ", time(10, 0)),
    ],
    ids=lambda value: str(value).strip(),
)
def test_parse_time(phrase: str, expected: time) -> None:
    assert parse_time(phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "fragment"),
    [
        ("25:00", "hours run from 00 to 23"),
        ("24:00", "hours run from 00 to 23"),
        ("10:61", "minutes run from 00 to 59"),
        ("13pm", "the hour runs from 1 to 12"),
        ("0am", "the hour runs from 1 to 12"),
        ("14:30pm", "the hour runs from 1 to 12"),
        ("1430", "could not understand"),
        ("10", "could not understand"),
        ("teatime", "could not understand"),
        ("10:5", "could not understand"),
        ("", "could not understand"),
    ],
)
def test_invalid_times(phrase: str, fragment: str) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_time(phrase)
    _assert_error(excinfo, fragment, "for example")


# Durations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "minutes"),
    [
        ("30m", 30),
        ("30 mins", 30),
        ("30 minutes", 30),
        ("1 minute", 1),
        ("1h", 60),
        ("1 hour", 60),
        ("2 hours", 120),
        ("2 hrs", 120),
        ("1h30", 90),
        ("1h05", 65),
        ("1h 30m", 90),
        ("1 hour 30 minutes", 90),
        ("1 hour and 30 minutes", 90),
        ("1.5h", 90),
        ("1.5 hours", 90),
        ("0.25h", 15),
        ("90 minutes", 90),
        ("90m", 90),
        ("half an hour", 30),
        ("an hour", 60),
        ("12h", 720),
        (" 45 MINS ", 45),
    ],
    ids=lambda value: str(value).strip(),
)
def test_parse_duration(phrase: str, minutes: int) -> None:
    assert parse_duration(phrase) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("phrase", "fragment"),
    [
        ("0m", "more than zero"),
        ("0h", "more than zero"),
        ("-30m", "more than zero"),
        ("12h01", "at most 12 hours"),
        ("13 hours", "at most 12 hours"),
        ("721 minutes", "at most 12 hours"),
        ("99999999999999h", "at most 12 hours"),
        ("1h 90m", "fewer than 60 minutes"),
        ("1.33h", "whole number of minutes"),
        ("1.5h 30m", "could not understand"),
        ("a while", "could not understand"),
        ("30", "could not understand"),
        ("1 day", "could not understand"),
        ("", "could not understand"),
    ],
)
def test_invalid_durations(phrase: str, fragment: str) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_duration(phrase)
    _assert_error(excinfo, fragment, "for example", "1h30")


# Intervals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected", "description"),
    [
        ("every week", Interval(weeks=1), "every week"),
        ("weekly", Interval(weeks=1), "every week"),
        ("week", Interval(weeks=1), "every week"),
        ("every 1 week", Interval(weeks=1), "every week"),
        ("every 2 weeks", Interval(weeks=2), "every 2 weeks"),
        ("2 weeks", Interval(weeks=2), "every 2 weeks"),
        ("every two weeks", Interval(weeks=2), "every 2 weeks"),
        ("every other week", Interval(weeks=2), "every 2 weeks"),
        ("fortnightly", Interval(weeks=2), "every 2 weeks"),
        ("every fortnight", Interval(weeks=2), "every 2 weeks"),
        ("every 4 weeks", Interval(weeks=4), "every 4 weeks"),
        ("4-weekly", Interval(weeks=4), "every 4 weeks"),
        ("4 weekly", Interval(weeks=4), "every 4 weeks"),
        ("monthly", Interval(months=1), "every month"),
        ("every month", Interval(months=1), "every month"),
        ("every 3 months", Interval(months=3), "every 3 months"),
        ("3 monthly", Interval(months=3), "every 3 months"),
        ("Every  6 Months", Interval(months=6), "every 6 months"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_parse_interval(phrase: str, expected: Interval, description: str) -> None:
    interval = parse_interval(phrase)
    assert interval == expected
    assert interval.describe() == description
    assert parse_interval(description) == interval


@pytest.mark.parametrize(
    ("phrase", "fragment"),
    [
        ("every year", "could not understand"),
        ("daily", "could not understand"),
        ("biweekly", "could not understand"),
        ("every", "could not understand"),
        ("", "could not understand"),
        ("every friday", "could not understand"),
        ("every 0 weeks", "every 1 to 52 weeks"),
        ("every 53 weeks", "every 1 to 52 weeks"),
        ("every 13 months", "every 1 to 12 months"),
    ],
)
def test_invalid_intervals(phrase: str, fragment: str) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_interval(phrase)
    _assert_error(excinfo, fragment, "for example", "fortnightly")


@pytest.mark.parametrize(
    ("interval", "start", "expected"),
    [
        pytest.param(Interval(weeks=1), date(2026, 12, 28), date(2027, 1, 4), id="week-new-year"),
        pytest.param(Interval(weeks=4), date(2026, 12, 1), date(2026, 12, 29), id="4-weeks"),
        pytest.param(Interval(months=1), date(2026, 12, 1), date(2027, 1, 1), id="month-new-year"),
        pytest.param(Interval(months=1), date(2027, 1, 31), date(2027, 2, 28), id="31-jan"),
        pytest.param(Interval(months=1), date(2028, 1, 31), date(2028, 2, 29), id="leap-year"),
        pytest.param(Interval(months=3), date(2026, 11, 30), date(2027, 2, 28), id="quarter"),
        pytest.param(Interval(months=12), date(2026, 3, 15), date(2027, 3, 15), id="year"),
    ],
)
def test_interval_after(interval: Interval, start: date, expected: date) -> None:
    assert interval.after(start) == expected


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"weeks": 1, "months": 1}, {"weeks": -1}, {"months": 0}],
    ids=["empty", "both", "negative", "zero"],
)
def test_interval_needs_weeks_or_months(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="weeks or of months"):
        Interval(**kwargs)


# Dates with times ---------------------------------------------------------------

MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("tomorrow at 10am", datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)),
        ("TOMORROW AT 10AM", datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)),
        ("10am tomorrow", datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)),
        ("1/12/2026 14:30", datetime(2026, 12, 1, 14, 30, tzinfo=LONDON)),
        ("1/12/2026 at 2.30pm", datetime(2026, 12, 1, 14, 30, tzinfo=LONDON)),
        ("1 Dec at 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)),
        ("Tue 1 Dec 2026 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)),
        ("friday 2pm", datetime(2026, 11, 27, 14, 0, tzinfo=LONDON)),
        ("friday 10.30", datetime(2026, 11, 27, 10, 30, tzinfo=LONDON)),
        ("2pm friday", datetime(2026, 11, 27, 14, 0, tzinfo=LONDON)),
        ("2pm on friday", datetime(2026, 11, 27, 14, 0, tzinfo=LONDON)),
        ("on friday at 2pm", datetime(2026, 11, 27, 14, 0, tzinfo=LONDON)),
        ("by friday 2 pm", datetime(2026, 11, 27, 14, 0, tzinfo=LONDON)),
        ("next friday at 9.30am", datetime(2026, 12, 4, 9, 30, tzinfo=LONDON)),
        ("in 2 weeks at noon", datetime(2026, 12, 7, 12, 0, tzinfo=LONDON)),
        ("in 5 working days at 9:00", datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)),
        ("end of month 17:00", datetime(2026, 11, 30, 17, 0, tzinfo=LONDON)),
        ("today at 11am", datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_parse_when_forms(phrase: str, expected: datetime) -> None:
    result = parse_when(phrase, MONDAY_MORNING, LONDON, ENGLAND)
    assert result == expected
    assert result.tzinfo is LONDON
    assert result.utcoffset() == timedelta(0)


def test_parse_when_uses_default_time() -> None:
    result = parse_when("friday", MONDAY_MORNING, LONDON, ENGLAND, default_time=time(9, 30))
    assert result == datetime(2026, 11, 27, 9, 30, tzinfo=LONDON)


def test_parse_when_prefers_a_given_time_to_the_default() -> None:
    result = parse_when("friday 2pm", MONDAY_MORNING, LONDON, ENGLAND, default_time=time(9))
    assert result == datetime(2026, 11, 27, 14, 0, tzinfo=LONDON)


def test_tomorrow_uses_the_local_date_not_the_utc_date() -> None:
    late_utc = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)  # already 15 July in London
    result = parse_when("tomorrow at 10am", late_utc, LONDON, ENGLAND)
    assert result == datetime(2026, 7, 16, 10, 0, tzinfo=LONDON)
    assert result.utcoffset() == HOUR
    assert result.astimezone(UTC) == datetime(2026, 7, 16, 9, 0, tzinfo=UTC)


def test_tomorrow_just_before_local_midnight() -> None:
    evening_utc = datetime(2026, 7, 14, 22, 30, tzinfo=UTC)  # 23:30 on 14 July in London
    result = parse_when("tomorrow at 10am", evening_utc, LONDON, ENGLAND)
    assert result == datetime(2026, 7, 15, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("phrase", "offset", "utc"),
    [
        pytest.param(
            "1/7/2027 10:00", HOUR, datetime(2027, 7, 1, 9, 0, tzinfo=UTC), id="summer-bst"
        ),
        pytest.param(
            "1/12/2026 10:00", timedelta(0), datetime(2026, 12, 1, 10, 0, tzinfo=UTC), id="winter"
        ),
        pytest.param(
            "28/3/2027 01:30",
            HOUR,
            datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
            id="spring-gap-read-as-gmt",
        ),
        pytest.param(
            "28/3/2027 00:30", timedelta(0), datetime(2027, 3, 28, 0, 30, tzinfo=UTC), id="pre-gap"
        ),
        pytest.param(
            "31/10/2027 01:30",
            HOUR,
            datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
            id="autumn-ambiguous-first",
        ),
        pytest.param(
            "31/10/2027 02:30",
            timedelta(0),
            datetime(2027, 10, 31, 2, 30, tzinfo=UTC),
            id="after-autumn-change",
        ),
    ],
)
def test_parse_when_across_clock_changes(phrase: str, offset: timedelta, utc: datetime) -> None:
    result = parse_when(phrase, MONDAY_MORNING, LONDON, ENGLAND)
    assert result.utcoffset() == offset
    assert result.astimezone(UTC) == utc
    assert result.fold == 0


def test_time_in_the_spring_gap_is_shown_as_the_real_wall_time() -> None:
    result = parse_when("28/3/2027 01:30", MONDAY_MORNING, LONDON, ENGLAND)
    assert (result.hour, result.minute) == (2, 30)
    assert format_datetime(result, LONDON) == "Sun 28 Mar 2027 02:30"


def test_parse_when_in_new_york() -> None:
    now = datetime(2026, 7, 15, 2, 0, tzinfo=UTC)  # still 14 July in New York
    result = parse_when("tomorrow at 10am", now, NEW_YORK, ENGLAND)
    assert result == datetime(2026, 7, 15, 10, 0, tzinfo=NEW_YORK)
    assert result.utcoffset() == -4 * HOUR
    assert result.astimezone(UTC) == datetime(2026, 7, 15, 14, 0, tzinfo=UTC)


def test_parse_when_new_york_winter_and_gap() -> None:
    winter = parse_when("1/12/2026 10:00", MONDAY_MORNING, NEW_YORK, ENGLAND)
    assert winter.utcoffset() == -5 * HOUR
    gap = parse_when("14/3/2027 02:30", MONDAY_MORNING, NEW_YORK, ENGLAND)
    assert gap.astimezone(UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert (gap.hour, gap.utcoffset()) == (3, -4 * HOUR)


@pytest.mark.parametrize(
    ("phrase", "fragments"),
    [
        ("tomorrow", ("give a time", "for example")),
        ("10am", ("give a date", "for example", "tomorrow at 10am")),
        ("tomorrow at 25:00", ("not a valid time", "for example")),
        ("friday 13pm", ("not a valid time", "for example")),
        ("tomorrow at 10", ("could not understand the time '10'", "for example")),
        ("31/02/2027 at 10am", ("does not exist", "February 2027 has 28 days")),
        ("31/02/2027", ("does not exist",)),
        ("Thu 4 Dec 2026 10:00", ("is a Friday, not a Thursday",)),
        ("soonish at 10am", ("could not understand", "for example", "tomorrow at 10am")),
        ("soonish", ("could not understand", "for example")),
        ("", ("could not understand", "for example")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_parse_when_errors(phrase: str, fragments: tuple[str, ...]) -> None:
    with pytest.raises(DateError) as excinfo:
        parse_when(phrase, MONDAY_MORNING, LONDON, ENGLAND)
    _assert_error(excinfo, *fragments)


# Formatting and round trips -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2026, 12, 3), "Thu 3 Dec 2026"),
        (date(2027, 1, 1), "Fri 1 Jan 2027"),
        (date(2026, 11, 23), "Mon 23 Nov 2026"),
        (date(2027, 9, 5), "Sun 5 Sep 2027"),
    ],
    ids=str,
)
def test_format_date(value: date, text: str) -> None:
    assert format_date(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(time(10, 0), "10:00"), (time(9, 5), "09:05"), (time(0, 0), "00:00"), (time(23, 59), "23:59")],
    ids=str,
)
def test_format_time(value: time, text: str) -> None:
    assert format_time(value) == text


@pytest.mark.parametrize(
    ("value", "zone", "text"),
    [
        pytest.param(
            datetime(2026, 12, 3, 10, 0, tzinfo=UTC), LONDON, "Thu 3 Dec 2026 10:00", id="winter"
        ),
        pytest.param(
            datetime(2026, 7, 1, 9, 0, tzinfo=UTC), LONDON, "Wed 1 Jul 2026 10:00", id="summer"
        ),
        pytest.param(
            datetime(2026, 7, 1, 23, 30, tzinfo=UTC), LONDON, "Thu 2 Jul 2026 00:30", id="next-day"
        ),
        pytest.param(
            datetime(2026, 7, 1, 2, 0, tzinfo=UTC), NEW_YORK, "Tue 30 Jun 2026 22:00", id="new-york"
        ),
        pytest.param(
            datetime(2026, 12, 3, 10, 0, tzinfo=LONDON), LONDON, "Thu 3 Dec 2026 10:00", id="local"
        ),
    ],
)
def test_format_datetime(value: datetime, zone: ZoneInfo, text: str) -> None:
    assert format_datetime(value, zone) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(30, "30m"), (60, "1h"), (90, "1h30"), (65, "1h05"), (720, "12h"), (5, "5m"), (0, "0m")],
    ids=str,
)
def test_format_duration(minutes: int, text: str) -> None:
    assert format_duration(timedelta(minutes=minutes)) == text


def test_format_duration_rejects_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(minutes=-5))


@pytest.mark.parametrize("today", [MONDAY, JAN_31, DEC_30], ids=str)
def test_format_date_round_trips_through_a_year(today: date) -> None:
    start = date(2027, 1, 1)
    for offset in range(366 + 365):
        day = start + timedelta(days=offset)
        assert parse_date(format_date(day), today, ENGLAND) == day


def test_format_time_round_trips() -> None:
    for minutes in range(0, 24 * 60, 5):
        value = time(minutes // 60, minutes % 60)
        assert parse_time(format_time(value)) == value


def test_format_duration_round_trips() -> None:
    for minutes in range(1, 12 * 60 + 1):
        value = timedelta(minutes=minutes)
        assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK], ids=str)
def test_format_datetime_round_trips_through_parse_when(zone: ZoneInfo) -> None:
    for offset in range(0, 400, 3):
        moment = datetime(2026, 12, 1, 9, 15, tzinfo=zone) + timedelta(days=offset)
        moment = moment.astimezone(UTC).astimezone(zone)
        assert parse_when(format_datetime(moment, zone), MONDAY_MORNING, zone, ENGLAND) == moment
