"""Where a meeting is held: `where <text>` on `/mdt new`, and `/mdt where M3 <text>`."""

from __future__ import annotations

import json

from sqlalchemy import select

from commands.core import CoreSettings
from storage.models import AuditEntry, Meeting, OutboxMessage
from tests.conftest import Console
from tests.support import blocks, reading, snapshot

HALL = "Hove Town Hall, room 2"


def venue_of(console: Console, number: int = 1) -> str | None:
    with reading(console) as session:
        return session.scalars(select(Meeting.venue).where(Meeting.number == number)).one()


def test_new_with_a_venue_puts_it_on_the_card_the_invite_and_show(console: Console) -> None:
    printed = console(f"/mdt new Review on 4/2/2027 where {HALL} at 10:00 with @tom")
    assert "M1 Review - Thu 4 Feb 2027 10:00-11:00" in printed, "`at 10:00` is not the venue"
    assert f"Invited: @tom. Where: {HALL}. Calendar invite: M1.ics" in printed
    assert "[DM @tom] You are invited to M1 Review" in printed
    assert f"chaired by @priya. Where: {HALL}." in printed
    assert venue_of(console) == HALL
    ics = (console.session.files_dir / "M1.ics").read_text()
    assert "LOCATION:Hove Town Hall\\, room 2" in ics
    assert f"Where: {HALL}" in console("/mdt show M1")


def test_the_venue_may_come_last_and_a_link_is_kept_whole(console: Console) -> None:
    console("/mdt new Review on 4/2/2027 at 10:00 where Teams https://teams.example/m1?x=1")
    assert venue_of(console) == "Teams https://teams.example/m1?x=1"


def test_a_clause_after_the_venue_is_not_part_of_it(console: Console) -> None:
    printed = console("/mdt new Review where Room 5 at the back on 4/2/2027 at 10:00 with @tom")
    assert "M1 Review - Thu 4 Feb 2027 10:00-11:00" in printed
    assert "Invited: @tom." in printed
    assert venue_of(console) == "Room 5 at the back"


def test_the_chair_changes_the_venue_and_invitees_get_the_new_invite(console: Console) -> None:
    console(f"/mdt new Review on 4/2/2027 at 10:00 where {HALL} with @tom")
    with reading(console) as session:
        sequence = session.scalars(select(Meeting.sequence)).one()
    printed = console("/mdt where M1 Teams https://teams.example/m1")
    assert heads(printed) == ["[#team]", "[DM @tom]"]
    assert (
        "M1 Review, Thu 4 Feb 2027 10:00, is now held at: Teams https://teams.example/m1 "
        f"(was: {HALL}). Calendar invite updated: M1.ics"
    ) in printed
    assert venue_of(console) == "Teams https://teams.example/m1"
    ics = (console.session.files_dir / "M1.ics").read_text()
    assert "LOCATION:Teams https://teams.example/m1" in ics
    assert f"SEQUENCE:{sequence + 1}" in ics
    with reading(console) as session:
        changes = session.scalars(
            select(AuditEntry.change).where(AuditEntry.entity == "meeting")
        ).all()
    assert len(changes) >= 2  # created, then the venue changed


def heads(printed: str) -> list[str]:
    return [block.split("] ", 1)[0] + "]" for block in blocks(printed)]


def test_the_same_venue_again_changes_nothing(console: Console) -> None:
    console(f"/mdt new Review on 4/2/2027 at 10:00 where {HALL}")
    before = snapshot(console.store)
    printed = console(f"/mdt where M1 {HALL}")
    assert f"M1 is already at {HALL}: nothing was changed." in printed
    assert snapshot(console.store) == before


def test_personal_data_in_a_venue_is_refused_and_nothing_is_saved(console: Console) -> None:
    console("/mdt new Review on 4/2/2027 at 10:00")
    before = snapshot(console.store)
    printed = console("/mdt where M1 flat 3, call 07700 900123 on arrival")
    assert "phone number" in printed
    assert snapshot(console.store) == before
    printed = console("/mdt new Other on 4/2/2027 at 11:00 where call 07700 900123")
    assert "phone number" in printed
    assert snapshot(console.store) == before


def test_an_ended_meeting_keeps_its_venue(console: Console) -> None:
    printed = console("/mdt new Review today at 10:00 where Room 1", "/mdt start M1", "/mdt end M1")
    assert "Minutes of M1" in printed
    assert "Where: Room 1" in printed
    before = snapshot(console.store)
    (reply,) = blocks(console("/mdt where M1 Room 2"))
    assert reply == "[only @priya] M1 is ended, so it can no longer be changed."
    assert snapshot(console.store) == before


def test_a_series_keeps_its_venue(console: Console) -> None:
    console(
        "/mdt new Review today at 10:00 every 2 weeks where Room 1",
        "/mdt start M1",
        "/mdt end M1",
    )
    assert venue_of(console, 2) == "Room 1"


def test_someone_invited_by_email_gets_the_new_place_with_the_invite(console: Console) -> None:
    sam = "sam.patel@police.example"
    console.core.settings = CoreSettings(invite_domain="council.example")
    console(
        "/mdt new Review on 4/2/2027 at 10:00 where Room 1",
        f'/mdt invite M1 {sam} name "DS Sam Patel" from Sussex Police',
    )
    console("/mdt where M1 Room 2")
    with reading(console) as session:
        payloads = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.platform == "email")
        ).all()
    assert len(payloads) == 2
    changed = json.dumps(payloads[1])
    assert "meeting:venue_changed" in changed
    assert "M1.ics" in changed
