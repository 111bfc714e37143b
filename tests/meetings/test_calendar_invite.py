"""The .ics files `/mdt new`, `/mdt move` and `/mdt cancel` attach, read back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from tests.conftest import Console


def invite(console: Console, ref: str = "M1") -> Calendar:
    """The invite file the console last wrote for a meeting."""
    path = console.session.files_dir / f"{ref}.ics"
    return Calendar.from_ical(path.read_bytes())


def event(calendar: Calendar) -> Any:
    (found,) = calendar.walk("VEVENT")
    return found


def utc(moment: datetime) -> datetime:
    assert moment.tzinfo is not None
    return moment.astimezone(UTC)


@pytest.mark.parametrize(
    ("when", "start", "end"),
    [
        pytest.param(
            "on 29/3/2027 at 10:00",
            datetime(2027, 3, 29, 9, 0, tzinfo=UTC),
            datetime(2027, 3, 29, 10, 0, tzinfo=UTC),
            id="day-after-clocks-go-forward",
        ),
        pytest.param(
            "on 27/3/2027 at 10:00",
            datetime(2027, 3, 27, 10, 0, tzinfo=UTC),
            datetime(2027, 3, 27, 11, 0, tzinfo=UTC),
            id="day-before-clocks-go-forward",
        ),
        pytest.param(
            "on 29/10/2027 at 10:00",
            datetime(2027, 10, 29, 9, 0, tzinfo=UTC),
            datetime(2027, 10, 29, 10, 0, tzinfo=UTC),
            id="last-summer-weekday",
        ),
        pytest.param(
            "on 1/11/2027 at 10:00",
            datetime(2027, 11, 1, 10, 0, tzinfo=UTC),
            datetime(2027, 11, 1, 11, 0, tzinfo=UTC),
            id="after-clocks-go-back",
        ),
        pytest.param(
            "on 15/2/2027 at 2.30pm for 90 minutes",
            datetime(2027, 2, 15, 14, 30, tzinfo=UTC),
            datetime(2027, 2, 15, 16, 0, tzinfo=UTC),
            id="winter-with-length",
        ),
    ],
)
def test_the_invite_holds_the_right_instant(
    console: Console, when: str, start: datetime, end: datetime
) -> None:
    printed = console(f"/mdt new Review {when}")
    assert "Calendar invite: M1.ics" in printed
    found = event(invite(console))
    assert utc(found.decoded("DTSTART")) == start
    assert utc(found.decoded("DTEND")) == end
    assert found["DTSTART"].params["TZID"] == "Europe/London"


def test_the_invite_carries_a_vtimezone_that_gives_the_same_instants(console: Console) -> None:
    console("/mdt new Review on 29/3/2027 at 10:00")
    calendar = invite(console)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    kinds = {component.name for component in zone.subcomponents}
    assert kinds == {"DAYLIGHT", "STANDARD"}
    offsets = {component.name: component.decoded("TZOFFSETTO") for component in zone.subcomponents}
    assert offsets == {"DAYLIGHT": timedelta(hours=1), "STANDARD": timedelta(0)}
    tz = zone.to_tz()
    spring = datetime(2027, 3, 29, 10, 0).replace(tzinfo=tz)  # noqa: DTZ001 - zone set here
    autumn = datetime(2027, 11, 1, 10, 0).replace(tzinfo=tz)  # noqa: DTZ001 - zone set here
    assert spring.utcoffset() == timedelta(hours=1)
    assert autumn.utcoffset() == timedelta(0)


def test_a_new_invite_is_a_request(console: Console) -> None:
    console("/mdt new Strategy, housing; rent arrears tomorrow at 10am case AB-1234")
    calendar = invite(console)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    found = event(calendar)
    assert str(found["SUMMARY"]) == "M1 Strategy, housing; rent arrears"
    assert str(found["STATUS"]) == "CONFIRMED"
    assert int(found["SEQUENCE"]) == 0
    assert str(found["UID"]).startswith("meeting-")


def test_moving_keeps_the_uid_and_raises_the_sequence(console: Console) -> None:
    console("/mdt new Review on 29/3/2027 at 10:00 with @tom")
    first = event(invite(console))
    printed = console("/mdt move M1 to 1/11/2027")
    assert "Calendar invite updated: M1.ics" in printed
    assert "[DM @tom] M1 Review has moved from Mon 29 Mar 2027 10:00 to Mon 1 Nov 2027" in printed
    moved = invite(console)
    second = event(moved)
    assert str(moved["METHOD"]) == "REQUEST"
    assert str(second["UID"]) == str(first["UID"])
    assert int(second["SEQUENCE"]) == 1
    assert utc(second.decoded("DTSTART")) == datetime(2027, 11, 1, 10, 0, tzinfo=UTC)
    console("/mdt move M1 to 2/11/2027 at 14:00")
    third = event(invite(console))
    assert str(third["UID"]) == str(first["UID"])
    assert int(third["SEQUENCE"]) == 2
    assert utc(third.decoded("DTSTART")) == datetime(2027, 11, 2, 14, 0, tzinfo=UTC)
    assert utc(third.decoded("DTEND")) == datetime(2027, 11, 2, 15, 0, tzinfo=UTC)


def test_cancelling_sends_a_cancel_for_the_same_event(console: Console) -> None:
    console("/mdt new Review tomorrow at 10am with @tom", "/mdt move M1 to 3/2/2027")
    uid = str(event(invite(console))["UID"])
    printed = console("/mdt cancel M1 the person moved out of area")
    assert "Calendar invite cancelled: M1.ics" in printed
    cancelled = invite(console)
    assert str(cancelled["METHOD"]) == "CANCEL"
    found = event(cancelled)
    assert str(found["UID"]) == uid
    assert str(found["STATUS"]) == "CANCELLED"
    assert int(found["SEQUENCE"]) == 2


def test_each_meeting_has_its_own_uid(console: Console) -> None:
    console("/mdt new One tomorrow at 10am", "/mdt new Two tomorrow at 11am")
    assert str(event(invite(console, "M1"))["UID"]) != str(event(invite(console, "M2"))["UID"])


def test_the_invite_is_in_the_chairs_zone(console: Console) -> None:
    console(":tz America/New_York", "/mdt new Review on 15/3/2027 at 9am")
    calendar = invite(console)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/New_York"
    found = event(calendar)
    assert found["DTSTART"].params["TZID"] == "America/New_York"
    # 15 Mar 2027: New York is already on summer time (UTC-4).
    assert utc(found.decoded("DTSTART")) == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)


def test_long_lines_are_folded(console: Console) -> None:
    title = "Multi-agency review of the housing, health and care plan for the person " * 2
    console(f"/mdt new {title.strip()} tomorrow at 10am")
    raw = (console.session.files_dir / "M1.ics").read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert str(event(invite(console))["SUMMARY"]) == f"M1 {title.strip()}"
