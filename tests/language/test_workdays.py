"""Tests for UK working days and bank holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from commands.language.workdays import UK_NATIONS, WorkingCalendar, nation_code

ENGLAND = WorkingCalendar("England and Wales")
SCOTLAND = WorkingCalendar("Scotland")
NORTHERN_IRELAND = WorkingCalendar("Northern Ireland")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("England and Wales", "ENG"),
        ("england and wales", "ENG"),
        ("  England   and Wales ", "ENG"),
        ("England", "ENG"),
        ("Wales", "WLS"),
        ("SCOTLAND", "SCT"),
        ("Northern Ireland", "NIR"),
        ("nir", "NIR"),
    ],
)
def test_nation_code(name: str, code: str) -> None:
    assert nation_code(name) == code


@pytest.mark.parametrize("name", ["Ireland", "UK", "", "Cornwall"])
def test_unknown_nation_names_the_accepted_values(name: str) -> None:
    with pytest.raises(ValueError, match="use one of") as caught:
        nation_code(name)
    for nation in UK_NATIONS:
        assert nation in str(caught.value)


def test_calendar_rejects_unknown_nation() -> None:
    with pytest.raises(ValueError, match="Scotland"):
        WorkingCalendar("Atlantis")


def test_default_calendar_is_england_and_wales() -> None:
    calendar = WorkingCalendar()
    assert calendar.code == "ENG"
    assert calendar.nation == "England and Wales"


@pytest.mark.parametrize(
    ("calendar", "day", "working"),
    [
        pytest.param(ENGLAND, date(2026, 11, 23), True, id="monday"),
        pytest.param(ENGLAND, date(2026, 11, 27), True, id="friday"),
        pytest.param(ENGLAND, date(2026, 11, 28), False, id="saturday"),
        pytest.param(ENGLAND, date(2026, 11, 29), False, id="sunday"),
        pytest.param(ENGLAND, date(2026, 12, 25), False, id="christmas"),
        pytest.param(ENGLAND, date(2026, 12, 28), False, id="boxing-day-observed"),
        pytest.param(ENGLAND, date(2026, 12, 29), True, id="after-christmas"),
        pytest.param(ENGLAND, date(2027, 3, 26), False, id="good-friday"),
        pytest.param(ENGLAND, date(2027, 3, 29), False, id="easter-monday-england"),
        pytest.param(SCOTLAND, date(2027, 3, 29), True, id="easter-monday-scotland"),
        pytest.param(ENGLAND, date(2026, 1, 2), True, id="2-jan-england"),
        pytest.param(SCOTLAND, date(2026, 1, 2), False, id="2-jan-scotland"),
        pytest.param(SCOTLAND, date(2027, 1, 4), False, id="2-jan-substitute-scotland"),
        pytest.param(ENGLAND, date(2027, 1, 4), True, id="4-jan-england"),
        pytest.param(SCOTLAND, date(2026, 11, 30), False, id="st-andrews-day"),
        pytest.param(ENGLAND, date(2026, 11, 30), True, id="st-andrews-day-england"),
        pytest.param(SCOTLAND, date(2025, 12, 1), False, id="st-andrews-substitute"),
        pytest.param(ENGLAND, date(2025, 12, 1), True, id="st-andrews-sub-england"),
        pytest.param(NORTHERN_IRELAND, date(2027, 3, 17), False, id="st-patricks-day"),
        pytest.param(ENGLAND, date(2027, 3, 17), True, id="st-patricks-england"),
    ],
)
def test_is_working_day(calendar: WorkingCalendar, day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("calendar", "day", "fragment"),
    [
        (ENGLAND, date(2026, 12, 25), "Christmas Day"),
        (ENGLAND, date(2026, 12, 28), "Boxing Day"),
        (ENGLAND, date(2027, 3, 26), "Good Friday"),
        (SCOTLAND, date(2025, 12, 1), "Andrew"),
        (SCOTLAND, date(2026, 1, 2), "New Year"),
    ],
    ids=["christmas", "boxing-observed", "good-friday", "st-andrews-sub", "2-jan-scotland"],
)
def test_holiday_name(calendar: WorkingCalendar, day: date, fragment: str) -> None:
    name = calendar.holiday_name(day)
    assert name is not None
    assert fragment in name


@pytest.mark.parametrize("day", [date(2026, 11, 23), date(2026, 11, 28), date(2026, 1, 2)], ids=str)
def test_holiday_name_is_none_on_ordinary_days(day: date) -> None:
    assert ENGLAND.holiday_name(day) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 11, 23), date(2026, 11, 24), id="monday"),
        pytest.param(date(2026, 11, 27), date(2026, 11, 30), id="friday"),
        pytest.param(date(2026, 11, 28), date(2026, 11, 30), id="saturday"),
        pytest.param(date(2026, 12, 24), date(2026, 12, 29), id="christmas-eve"),
        pytest.param(date(2027, 3, 25), date(2027, 3, 30), id="before-easter"),
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert ENGLAND.next_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 11, 23), date(2026, 11, 23), id="working-day"),
        pytest.param(date(2026, 11, 28), date(2026, 11, 30), id="saturday"),
        pytest.param(date(2026, 12, 25), date(2026, 12, 29), id="christmas"),
    ],
)
def test_on_or_next_working_day(day: date, expected: date) -> None:
    assert ENGLAND.on_or_next_working_day(day) == expected


@pytest.mark.parametrize(
    ("calendar", "start", "n", "expected"),
    [
        pytest.param(ENGLAND, date(2026, 11, 23), 0, date(2026, 11, 23), id="zero"),
        pytest.param(ENGLAND, date(2026, 11, 28), 0, date(2026, 11, 28), id="zero-on-saturday"),
        pytest.param(ENGLAND, date(2026, 11, 23), 5, date(2026, 11, 30), id="a-week"),
        pytest.param(ENGLAND, date(2026, 11, 28), 1, date(2026, 11, 30), id="from-saturday"),
        pytest.param(ENGLAND, date(2026, 12, 23), 5, date(2027, 1, 4), id="christmas-england"),
        pytest.param(SCOTLAND, date(2026, 12, 23), 5, date(2027, 1, 5), id="christmas-scotland"),
        pytest.param(ENGLAND, date(2027, 3, 24), 5, date(2027, 4, 2), id="easter-england"),
        pytest.param(SCOTLAND, date(2027, 3, 24), 5, date(2027, 4, 1), id="easter-scotland"),
        pytest.param(ENGLAND, date(2026, 12, 29), -2, date(2026, 12, 23), id="back-over-xmas"),
        pytest.param(ENGLAND, date(2026, 11, 30), -1, date(2026, 11, 27), id="back-over-weekend"),
        pytest.param(SCOTLAND, date(2026, 12, 1), -1, date(2026, 11, 27), id="back-st-andrew"),
    ],
)
def test_add_working_days(calendar: WorkingCalendar, start: date, n: int, expected: date) -> None:
    assert calendar.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [
        pytest.param(ENGLAND, date(2026, 11, 23), date(2026, 11, 23), 0, id="same-day"),
        pytest.param(ENGLAND, date(2026, 11, 23), date(2026, 11, 20), 0, id="end-before-start"),
        pytest.param(ENGLAND, date(2026, 11, 23), date(2026, 11, 30), 5, id="a-week"),
        pytest.param(ENGLAND, date(2026, 11, 27), date(2026, 11, 29), 0, id="weekend-only"),
        pytest.param(ENGLAND, date(2026, 12, 23), date(2027, 1, 4), 5, id="christmas-england"),
        pytest.param(SCOTLAND, date(2026, 12, 23), date(2027, 1, 4), 4, id="christmas-scotland"),
    ],
)
def test_working_days_between(
    calendar: WorkingCalendar, start: date, end: date, expected: int
) -> None:
    assert calendar.working_days_between(start, end) == expected


@pytest.mark.parametrize("calendar", [ENGLAND, SCOTLAND, NORTHERN_IRELAND], ids=repr)
@pytest.mark.parametrize("n", [-12, -1, 1, 3, 10, 25])
def test_add_and_count_agree_over_a_year(calendar: WorkingCalendar, n: int) -> None:
    start = date(2026, 12, 1)
    for offset in range(0, 400, 7):
        day = start + timedelta(days=offset)
        moved = calendar.add_working_days(day, n)
        assert calendar.is_working_day(moved)
        if n > 0:
            assert calendar.working_days_between(day, moved) == n
        else:
            assert calendar.working_days_between(moved, day) == -n - 1 + int(
                calendar.is_working_day(day)
            )


def test_calendar_loads_years_on_demand() -> None:
    calendar = WorkingCalendar("Scotland")
    assert calendar.holiday_name(date(2031, 12, 1)) is not None
    assert calendar.holiday_name(date(2024, 12, 2)) is not None
