"""Outlook invites through Graph: created with a Teams meeting, moved, cancelled; else the .ics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.conversations import CalendarEvent
from tests.teams.conftest import Teams, mention
from tests.teams.fake_teams import CALENDAR_USER, CHANNEL, NURSE, PRIYA, TOM

EVENTS = f"/v1.0/users/{CALENDAR_USER}/events"


def _new(teams: Teams) -> None:
    at_tom, tom_entity = mention(TOM)
    at_nurse, nurse_entity = mention(NURSE)
    teams.command(
        PRIYA,
        f"new Discharge planning case BH-5521 on 4/2/2027 at 10:00 with {at_tom} {at_nurse}",
        entities=[tom_entity, nurse_entity],
    )


def test_new_creates_an_outlook_event_with_a_teams_meeting(teams_graph: Teams) -> None:
    _new(teams_graph)
    [(method, path, body)] = teams_graph.fake.graph_calls
    assert (method, path) == ("POST", EVENTS)
    assert body["subject"] == "M1 Discharge planning"
    assert body["start"] == {"dateTime": "2027-02-04T10:00:00", "timeZone": "UTC"}
    assert body["end"] == {"dateTime": "2027-02-04T11:00:00", "timeZone": "UTC"}
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    emails = sorted(a["emailAddress"]["address"] for a in body["attendees"])
    assert emails == sorted([PRIYA.email, TOM.email, NURSE.email])
    card = next(iter(teams_graph.fake.to(CHANNEL)))
    assert [a["contentType"] for a in card.activity["attachments"]] == [
        "application/vnd.microsoft.card.adaptive"
    ], "the Outlook invite replaces the .ics"
    with teams_graph.store.transaction(teams_graph.clock()) as session:
        event = session.scalars(select(CalendarEvent)).one()
        assert (event.event_id, event.join_url) == (
            "AAMkEvent1",
            "https://teams.test/l/meetup-join/1",
        )


def test_move_updates_and_cancel_cancels_the_same_event(teams_graph: Teams) -> None:
    _new(teams_graph)
    teams_graph.command(PRIYA, "move M1 to 5/2/2027 at 14:00")
    method, path, body = teams_graph.fake.graph_calls[-1]
    assert (method, path) == ("PATCH", f"{EVENTS}/AAMkEvent1")
    assert body["start"] == {"dateTime": "2027-02-05T14:00:00", "timeZone": "UTC"}
    teams_graph.command(PRIYA, "cancel M1 the person has moved out of area")
    method, path, body = teams_graph.fake.graph_calls[-1]
    assert (method, path) == ("POST", f"{EVENTS}/AAMkEvent1/cancel")
    assert body == {"comment": "the person has moved out of area"}
    assert len(teams_graph.fake.graph_calls) == 3


def test_a_refused_move_does_not_touch_the_event(teams_graph: Teams) -> None:
    _new(teams_graph)
    teams_graph.command(TOM, "move M1 to 5/2/2027 at 14:00")
    assert len(teams_graph.fake.graph_calls) == 1


def _ics_as_text(sent: list[Any]) -> str:
    """The .ics that followed the card as text: no file, the calendar's lines in a card."""
    card, invite = sent[:2]
    assert [a.get("name") for a in card.activity["attachments"]] == [None]
    assert [a.get("contentUrl") for a in invite.activity["attachments"]] == [None]
    assert invite.text().startswith("M1.ics, as text")
    return invite.text()


def test_without_graph_the_ics_invite_follows_the_card_as_text(teams: Teams) -> None:
    _new(teams)
    assert teams.fake.graph_calls == []
    text = _ics_as_text(teams.fake.to(CHANNEL))
    assert "BEGIN:VCALENDAR" in text
    assert "METHOD:REQUEST" in text


def test_when_graph_refuses_the_ics_invite_is_kept(teams_graph: Teams) -> None:
    teams_graph.fake.graph_failures.append(403)
    _new(teams_graph)
    assert "BEGIN:VEVENT" in _ics_as_text(teams_graph.fake.to(CHANNEL))
    with teams_graph.store.transaction(teams_graph.clock()) as session:
        assert session.scalars(select(CalendarEvent)).all() == []
