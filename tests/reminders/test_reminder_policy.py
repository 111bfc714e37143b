"""The reminder policy as pure functions, over bank holidays, weekends, clock changes and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from commands.language.workdays import WorkingCalendar
from commands.reminders.policy import (
    PolicyError,
    ReminderPolicy,
    briefing_at,
    in_window,
    next_delivery,
    plan,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
ENGLAND = WorkingCalendar("England and Wales")
SCOTLAND = WorkingCalendar("Scotland")
DEFAULT = ReminderPolicy()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def table(planned: list) -> list[tuple[str, str, bool]]:
    return [(p.label, p.at.strftime("%a %Y-%m-%d %H:%MZ"), p.escalate) for p in planned]


@pytest.mark.parametrize(
    ("due", "told", "zone", "calendar", "now", "expected"),
    [
        pytest.param(
            date(2027, 2, 10),
            utc("2027-02-01T10:00"),
            LONDON,
            ENGLAND,
            utc("2027-02-01T10:00"),
            [
                ("before", "Mon 2027-02-08 09:00Z", False),
                ("due", "Wed 2027-02-10 09:00Z", False),
                ("chaser1", "Fri 2027-02-12 09:00Z", False),
                ("chaser2", "Tue 2027-02-16 09:00Z", True),
            ],
            id="plain-february-week",
        ),
        pytest.param(
            date(2026, 12, 29),
            utc("2026-12-14T10:00"),
            LONDON,
            ENGLAND,
            utc("2026-12-14T10:00"),
            [
                ("before", "Wed 2026-12-23 09:00Z", False),
                ("due", "Tue 2026-12-29 09:00Z", False),
                ("chaser1", "Thu 2026-12-31 09:00Z", False),
                ("chaser2", "Tue 2027-01-05 09:00Z", True),
            ],
            id="christmas-2026-boxing-day-substitute-and-new-year",
        ),
        pytest.param(
            date(2026, 12, 25),
            utc("2026-12-14T10:00"),
            LONDON,
            ENGLAND,
            utc("2026-12-14T10:00"),
            [
                ("before", "Wed 2026-12-23 09:00Z", False),
                ("due", "Thu 2026-12-24 09:00Z", False),
                ("chaser1", "Wed 2026-12-30 09:00Z", False),
                ("chaser2", "Mon 2027-01-04 09:00Z", True),
            ],
            id="due-on-christmas-day-reminded-on-christmas-eve",
        ),
        pytest.param(
            date(2027, 3, 30),
            utc("2027-03-15T10:00"),
            LONDON,
            ENGLAND,
            utc("2027-03-15T10:00"),
            [
                ("before", "Wed 2027-03-24 09:00Z", False),
                ("due", "Tue 2027-03-30 08:00Z", False),
                ("chaser1", "Thu 2027-04-01 08:00Z", False),
                ("chaser2", "Mon 2027-04-05 08:00Z", True),
            ],
            id="easter-2027-and-spring-clock-change",
        ),
        pytest.param(
            date(2027, 11, 1),
            utc("2027-10-18T10:00"),
            LONDON,
            ENGLAND,
            utc("2027-10-18T10:00"),
            [
                ("before", "Thu 2027-10-28 08:00Z", False),
                ("due", "Mon 2027-11-01 09:00Z", False),
                ("chaser1", "Wed 2027-11-03 09:00Z", False),
                ("chaser2", "Fri 2027-11-05 09:00Z", True),
            ],
            id="autumn-clock-change",
        ),
        pytest.param(
            date(2027, 3, 17),
            utc("2027-03-01T15:00"),
            NEW_YORK,
            ENGLAND,
            utc("2027-03-01T15:00"),
            [
                ("before", "Mon 2027-03-15 13:00Z", False),
                ("due", "Wed 2027-03-17 13:00Z", False),
                ("chaser1", "Fri 2027-03-19 13:00Z", False),
                ("chaser2", "Tue 2027-03-23 13:00Z", True),
            ],
            id="owner-in-new-york-after-us-clock-change",
        ),
        pytest.param(
            date(2027, 2, 10),
            utc("2027-02-01T15:00"),
            NEW_YORK,
            ENGLAND,
            utc("2027-02-01T15:00"),
            [
                ("before", "Mon 2027-02-08 14:00Z", False),
                ("due", "Wed 2027-02-10 14:00Z", False),
                ("chaser1", "Fri 2027-02-12 14:00Z", False),
                ("chaser2", "Tue 2027-02-16 14:00Z", True),
            ],
            id="owner-in-new-york-winter",
        ),
        pytest.param(
            date(2027, 1, 5),
            utc("2026-12-14T10:00"),
            LONDON,
            SCOTLAND,
            utc("2026-12-14T10:00"),
            [
                ("before", "Wed 2026-12-30 09:00Z", False),
                ("due", "Tue 2027-01-05 09:00Z", False),
                ("chaser1", "Thu 2027-01-07 09:00Z", False),
                ("chaser2", "Mon 2027-01-11 09:00Z", True),
            ],
            id="scotland-second-of-january",
        ),
        pytest.param(
            date(2027, 1, 5),
            utc("2026-12-14T10:00"),
            LONDON,
            ENGLAND,
            utc("2026-12-14T10:00"),
            [
                ("before", "Thu 2026-12-31 09:00Z", False),
                ("due", "Tue 2027-01-05 09:00Z", False),
                ("chaser1", "Thu 2027-01-07 09:00Z", False),
                ("chaser2", "Mon 2027-01-11 09:00Z", True),
            ],
            id="england-same-dates-differ",
        ),
        pytest.param(
            date(2027, 2, 10),
            utc("2027-02-08T08:00"),
            LONDON,
            ENGLAND,
            utc("2027-02-08T08:00"),
            [
                ("due", "Wed 2027-02-10 09:00Z", False),
                ("chaser1", "Fri 2027-02-12 09:00Z", False),
                ("chaser2", "Tue 2027-02-16 09:00Z", True),
            ],
            id="told-on-the-before-day-skips-it",
        ),
        pytest.param(
            date(2027, 2, 10),
            utc("2027-02-01T10:00"),
            LONDON,
            ENGLAND,
            utc("2027-02-22T12:00"),
            [
                ("before", "Mon 2027-02-08 09:00Z", False),
                ("due", "Wed 2027-02-10 09:00Z", False),
                ("chaser1", "Fri 2027-02-12 09:00Z", False),
                ("chaser2", "Tue 2027-02-16 09:00Z", True),
                ("chaser3", "Thu 2027-02-18 09:00Z", True),
                ("chaser4", "Mon 2027-02-22 09:00Z", True),
                ("chaser5", "Wed 2027-02-24 09:00Z", True),
                ("chaser6", "Fri 2027-02-26 09:00Z", True),
            ],
            id="chasers-run-on-while-open",
        ),
    ],
)
def test_plan(
    due: date,
    told: datetime,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    now: datetime,
    expected: list[tuple[str, str, bool]],
) -> None:
    assert table(plan(due, told, zone, calendar, DEFAULT, now=now)) == expected


def test_every_planned_moment_is_a_working_morning_in_the_owners_zone() -> None:
    for zone in (LONDON, NEW_YORK, ZoneInfo("Asia/Kolkata")):
        for day in range(1, 28):
            due = date(2027, 3, day)
            planned = plan(
                due, utc("2027-01-04T10:00"), zone, ENGLAND, DEFAULT, now=utc("2027-05-01T00:00")
            )
            for p in planned:
                local = p.at.astimezone(zone)
                assert local.time() == time(9), (zone, due, p)
                assert ENGLAND.is_working_day(local.date()), (zone, due, p)
            labels = [p.label for p in planned]
            assert labels[:2] == ["before", "due"]
            assert [p.at for p in planned] == sorted(p.at for p in planned)


def test_a_configured_policy() -> None:
    policy = ReminderPolicy(
        before_days=0,
        on_due_date=False,
        chase_every=1,
        escalate_from=3,
        max_chasers=4,
        window_start=time(8, 30),
        window_end=time(16),
    )
    planned = plan(
        date(2027, 2, 10),
        utc("2027-02-01T10:00"),
        LONDON,
        ENGLAND,
        policy,
        now=utc("2027-03-01T00:00"),
    )
    assert table(planned) == [
        ("chaser1", "Thu 2027-02-11 08:30Z", False),
        ("chaser2", "Fri 2027-02-12 08:30Z", False),
        ("chaser3", "Mon 2027-02-15 08:30Z", True),
        ("chaser4", "Tue 2027-02-16 08:30Z", True),
    ]


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        pytest.param("2027-02-09T12:00", LONDON, "2027-02-09T12:00", id="working-hours"),
        pytest.param("2027-02-09T07:00", LONDON, "2027-02-09T09:00", id="early-morning"),
        pytest.param("2027-02-09T16:59", LONDON, "2027-02-09T16:59", id="last-minute"),
        pytest.param("2027-02-09T17:00", LONDON, "2027-02-10T09:00", id="at-five"),
        pytest.param("2027-02-12T17:30", LONDON, "2027-02-15T09:00", id="friday-evening"),
        pytest.param("2027-02-13T10:00", LONDON, "2027-02-15T09:00", id="saturday"),
        pytest.param("2026-12-24T18:00", LONDON, "2026-12-29T09:00", id="christmas-eve-evening"),
        pytest.param(
            "2027-03-26T10:00", LONDON, "2027-03-30T08:00", id="good-friday-to-tuesday-bst"
        ),
        pytest.param(
            "2027-02-09T12:00", NEW_YORK, "2027-02-09T14:00", id="new-york-before-opening"
        ),
        pytest.param("2027-02-09T22:30", NEW_YORK, "2027-02-10T14:00", id="new-york-after-five"),
        pytest.param("2027-02-09T21:30", NEW_YORK, "2027-02-09T21:30", id="new-york-afternoon"),
    ],
)
def test_next_delivery_keeps_quiet_hours(moment: str, zone: ZoneInfo, expected: str) -> None:
    assert next_delivery(utc(moment), zone, ENGLAND, DEFAULT) == utc(expected)
    assert in_window(utc(expected), zone, ENGLAND, DEFAULT)


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        pytest.param("2027-02-11T10:00", "2027-02-10T09:00", id="thursday-meeting"),
        pytest.param("2027-02-15T10:00", "2027-02-12T09:00", id="monday-meeting"),
        pytest.param("2027-03-30T09:00", "2027-03-25T09:00", id="after-easter"),
        pytest.param("2027-01-04T10:00", "2026-12-31T09:00", id="after-new-year"),
        pytest.param("2027-11-01T10:00", "2027-10-29T08:00", id="after-autumn-change"),
    ],
)
def test_briefing_is_the_working_morning_before(starts: str, expected: str) -> None:
    assert briefing_at(utc(starts), LONDON, ENGLAND, DEFAULT) == utc(expected)


def test_policy_round_trips_and_rejects_nonsense() -> None:
    policy = ReminderPolicy(before_days=3, max_chasers=5, window_start=time(8))
    assert ReminderPolicy.from_json(policy.to_json()) == policy
    assert ReminderPolicy.from_json(None) == DEFAULT
    assert ReminderPolicy.from_json({"chase_every": "3"}).chase_every == 3
    with pytest.raises(PolicyError, match="unknown reminder policy settings: colour"):
        ReminderPolicy.from_json({"colour": "blue"})
    with pytest.raises(PolicyError, match="chase_every"):
        ReminderPolicy(chase_every=0)
    with pytest.raises(PolicyError, match="window_start"):
        ReminderPolicy(window_start=time(17), window_end=time(9))
    with pytest.raises(PolicyError, match="bad reminder policy setting"):
        ReminderPolicy.from_json({"window_start": "nine"})


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_delivery(datetime(2027, 2, 9, 12), LONDON, ENGLAND, DEFAULT)  # noqa: DTZ001
