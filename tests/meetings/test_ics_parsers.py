"""Every invite read by two independent parsers, the start worked out from its own VTIMEZONE.

icalendar (Python) and Mozilla's ical.js (Node, as Thunderbird reads calendars) must both put the
meeting at the instant zoneinfo gives, in zones on both hemispheres, either side of each change.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.config import Settings, invite_domain
from commands.meetings.calendar_invite import ics_for
from commands.outbox.codec import decode_message
from storage.models import OutboxMessage
from tests.conftest import Console
from tests.node_tools import node_tools

ISSUED = datetime(2027, 1, 5, 8, 30, tzinfo=UTC)
# Each zone's clock changes in 2027 (local dates); meetings go the day before and the day after.
CHANGES = {
    "Europe/London": ["2027-03-28", "2027-10-31"],
    "Europe/Dublin": ["2027-03-28", "2027-10-31"],
    "America/New_York": ["2027-03-14", "2027-11-07"],
    "Australia/Sydney": ["2027-04-04", "2027-10-03"],
}
EXTRA = [("America/New_York", "2027-03-10"), ("Australia/Sydney", "2027-01-15")]
CASES = sorted(
    {
        (zone, (datetime.fromisoformat(day) + timedelta(days=shift)).date().isoformat())
        for zone, days in CHANGES.items()
        for day in days
        for shift in (-1, 1)
    }
    | set(EXTRA)
)


@pytest.fixture(scope="session")
def ical_js() -> Path:
    """ical.js installed into the tests' tools folder."""
    return node_tools() / "ical_starts.mjs"


def person(n: int, name: str, email: str | None) -> Any:
    return SimpleNamespace(id=n, display_name=name, email=email)


def meeting(zone: str, day: str, *, cancelled: bool = False) -> Any:
    """A meeting at 10:00 local time on the day, chaired by Priya, with two others invited."""
    start = datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=ZoneInfo(zone))
    chair = person(1, "Priya Shah", "priya@council.test")
    people = [chair, person(2, "Tom Reed", "tom@housing.test"), person(3, "No Email", None)]
    return SimpleNamespace(
        ref="M1",
        title="Discharge planning",
        number=1,
        workspace_id=7,
        sequence=1 if cancelled else 0,
        status="cancelled" if cancelled else "scheduled",
        timezone=zone,
        starts_at=start.astimezone(UTC),
        ends_at=(start + timedelta(hours=1)).astimezone(UTC),
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        chair=chair,
        chair_id=1,
        invitations=[SimpleNamespace(person=p, person_id=p.id) for p in people],
    )


def icalendar_start(data: bytes) -> datetime:
    """The start as icalendar reads it, the zone built from the file's own VTIMEZONE."""
    calendar = Calendar.from_ical(data)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    (event,) = calendar.walk("VEVENT")
    local = event["DTSTART"].dt.replace(tzinfo=None)
    return local.replace(tzinfo=vtimezone.to_tz()).astimezone(UTC)


def test_two_parsers_agree_with_zoneinfo_in_both_hemispheres(ical_js: Path, tmp_path: Path) -> None:
    files: dict[str, tuple[bytes, datetime]] = {}
    for zone, day in CASES:
        for cancelled in (False, True):
            found = meeting(zone, day, cancelled=cancelled)
            data = ics_for(found, domain="mdt.council.test", issued=ISSUED)
            path = tmp_path / f"{zone.replace('/', '-')}-{day}-{int(cancelled)}.ics"
            path.write_bytes(data)
            files[str(path)] = (data, found.starts_at)
    assert len(files) == 2 * len(CASES) == 36
    for data, expected in files.values():
        assert icalendar_start(data) == expected
    output = subprocess.run(
        ["node", str(ical_js), *files], capture_output=True, check=True, timeout=60, text=True
    ).stdout
    read = json.loads(output)
    for path, (_data, expected) in files.items():
        assert read[path]["start"] == expected.strftime("%Y-%m-%dT%H:%M:%S.000Z"), path
        assert read[path]["organizer"] == "mailto:priya@council.test"
        assert read[path]["attendees"] == ["mailto:priya@council.test", "mailto:tom@housing.test"]
    new_york = meeting("America/New_York", "2027-03-10").starts_at
    assert new_york == datetime(2027, 3, 10, 15, 0, tzinfo=UTC)


def test_dublin_summer_is_daylight_and_winter_standard() -> None:
    calendar = Calendar.from_ical(ics_for(meeting("Europe/Dublin", "2027-06-01")))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    kinds = {(c.name, c.decoded("TZOFFSETTO")) for c in vtimezone.subcomponents}
    assert kinds == {("DAYLIGHT", timedelta(hours=1)), ("STANDARD", timedelta(0))}
    names = {c.name: str(c["TZNAME"]) for c in vtimezone.subcomponents}
    assert names == {"DAYLIGHT": "IST", "STANDARD": "GMT"}


def test_the_invite_names_organizer_attendees_domain_and_time_of_issue() -> None:
    for cancelled in (False, True):
        data = ics_for(
            meeting("Europe/London", "2027-02-04", cancelled=cancelled),
            domain="mdt.council.test",
            issued=ISSUED,
        )
        (event,) = Calendar.from_ical(data).walk("VEVENT")
        assert str(event["UID"]) == "meeting-7-1@mdt.council.test"
        assert event.decoded("DTSTAMP") == ISSUED
        assert str(event["ORGANIZER"]) == "mailto:priya@council.test"
        assert event["ORGANIZER"].params["CN"] == "Priya Shah"
        attendees = [str(a) for a in event["ATTENDEE"]]
        assert attendees == ["mailto:priya@council.test", "mailto:tom@housing.test"]
        assert event["ATTENDEE"][0].params["ROLE"] == "CHAIR"
        assert ("RSVP" in event["ATTENDEE"][1].params) is not cancelled


def test_the_uid_domain_is_the_deployments_own() -> None:
    assert invite_domain({"MDT_PUBLIC_URL": "https://MDT.Council.test:8443/base"}) == (
        "mdt.council.test"
    )
    assert invite_domain({"MDT_MAIL_FROM": "MDT assistant <mdt@nhs.test>"}) == "nhs.test"
    both = {"MDT_PUBLIC_URL": "https://mdt.council.test", "MDT_MAIL_FROM": "mdt@nhs.test"}
    assert invite_domain(both) == "mdt.council.test"
    assert Settings.from_env(both).invite_domain == "mdt.council.test"
    assert invite_domain({}) not in {"", "mdt.invalid"}


def test_a_console_invite_is_issued_now_from_the_configured_domain(
    console: Console,
) -> None:
    console.core.settings = replace(console.core.settings, invite_domain="mdt.council.test")
    console("/mdt new Review on 29/3/2027 at 10:00")
    path = console.session.files_dir / "M1.ics"
    (event,) = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(event["UID"]).endswith("@mdt.council.test")
    assert "ORGANIZER" in event


def test_an_emailed_invite_is_organized_from_the_deployments_sender(console: Console) -> None:
    chosen = Settings.from_env({"MDT_MAIL_FROM": "MDT assistant <mdt@council.example>"})
    assert chosen.mail_organizer == "mdt@council.example"
    assert Settings.from_env({}).mail_organizer is None
    direct = ics_for(meeting("Europe/London", "2027-02-04"), organizer=chosen.mail_organizer)
    (event,) = Calendar.from_ical(direct).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:mdt@council.example"
    assert event["ORGANIZER"].params["CN"] == "Priya Shah"  # the chair, by name
    assert str(event["ATTENDEE"][0]) == "mailto:priya@council.test"  # still invited as chair
    console.core.settings = replace(
        console.core.settings, mail_organizer=chosen.mail_organizer, invite_domain="council.example"
    )
    console("/mdt new Review on 29/3/2027 at 10:00", "/mdt invite M1 sam.patel@police.example")
    with console.store.transaction(datetime.now(UTC)) as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.platform == "email"))
        sent = [decode_message(row.payload) for row in rows]
    (ics,) = [a.content for m in sent for a in m.attachments if a.media_type == "text/calendar"]
    (emailed,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(emailed["ORGANIZER"]) == "mailto:mdt@council.example"
    assert emailed["ORGANIZER"].params["CN"] == "priya"
