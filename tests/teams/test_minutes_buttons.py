"""The chair answers a correction and approves the minutes with card buttons on Teams; only the
chair may press them, and a second press says it already happened."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from storage.models import Correction, Meeting
from tests.teams.conftest import Teams, mention
from tests.teams.fake_teams import PRIYA, TOM, User
from tests.teams.test_meeting_run import actions_of, only, personal


def _press(teams: Teams, user: User, data: dict[str, Any]) -> dict[str, Any]:
    status, body = teams.press(
        user, data, conversation=personal(user), conversation_type="personal"
    )
    assert status == 200
    assert body is not None
    card: dict[str, Any] = body["value"]
    return card


def _state(teams: Teams) -> tuple[str | None, list[str]]:
    with teams.store.transaction(teams.clock()) as session:
        meeting = session.scalars(select(Meeting)).one()
        statuses = session.scalars(select(Correction.status).order_by(Correction.number))
        return meeting.minutes_status, list(statuses)


def test_accept_and_approve_buttons_for_the_chair_only(teams: Teams) -> None:
    at_tom, tom_entity = mention(TOM)
    teams.command(
        PRIYA, f"new Case review on 1/2/2027 at 10:00 with {at_tom}", entities=[tom_entity]
    )
    teams.clock.now = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    teams.command(PRIYA, "start M1")
    teams.command(PRIYA, "end M1")
    teams.fake.take()
    teams.command(TOM, "correct M1 the review is in six weeks, not four")
    proposal = only(
        [s for s in teams.fake.take() if "proposes correction 1" in s.text()], personal(PRIYA)
    )
    buttons = actions_of(proposal.card())
    assert buttons["Accept"]["data"] == {"verb": "mdt", "command": "correct M1 accept 1"}
    assert set(buttons) == {"Accept", "Decline"}

    refused = _press(teams, TOM, buttons["Accept"]["data"])
    assert "Only the chair of M1" in refused["body"][0]["text"]
    assert _state(teams) == ("draft", ["proposed"])

    accepted = _press(teams, PRIYA, buttons["Accept"]["data"])
    assert "Correction 1 accepted" in accepted["body"][0]["text"]
    approve = actions_of(accepted)["Approve"]["data"]
    assert approve == {"verb": "mdt", "command": "approve M1"}
    again = _press(teams, PRIYA, buttons["Accept"]["data"])
    assert "Correction 1 to the minutes of M1 is already accepted" in again["body"][0]["text"]

    assert "Only the chair of M1" in _press(teams, TOM, approve)["body"][0]["text"]
    assert _state(teams) == ("draft", ["accepted"])
    teams.fake.take()
    _press(teams, PRIYA, approve)
    assert _state(teams) == ("approved", ["accepted"])
    assert any("are approved by" in s.text() for s in teams.fake.take())
    twice = _press(teams, PRIYA, approve)["body"][0]["text"]
    assert "already approved by" in twice
    assert "version 3" in twice


def test_decline_asks_for_the_reason_in_the_card(teams: Teams) -> None:
    at_tom, tom_entity = mention(TOM)
    teams.command(
        PRIYA, f"new Case review on 1/2/2027 at 10:00 with {at_tom}", entities=[tom_entity]
    )
    teams.clock.now = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    teams.command(PRIYA, "start M1")
    teams.command(PRIYA, "end M1")
    teams.command(TOM, "correct M1 the GP was present")
    proposal = only(
        [s for s in teams.fake.take() if "proposes correction 1" in s.text()], personal(PRIYA)
    )
    decline = dict(actions_of(proposal.card())["Decline"]["data"], text="the GP sent apologies")
    answered = _press(teams, PRIYA, decline)
    assert "Correction 1 to the minutes of M1 declined: the GP sent apologies" in str(answered)
    assert "Approve" in actions_of(answered)
    assert _state(teams) == ("draft", ["declined"])
