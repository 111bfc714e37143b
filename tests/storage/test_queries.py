"""Reading a big meeting costs a fixed, small number of SQL statements: no query per row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from storage.models import Action, Agency, Decision, Invitation, Meeting, Note, Workspace
from storage.scratch import counting_statements
from tests.conftest import Console

SECTORS = ["Adult Social Care", "Health", "Police", "Housing", "Advocacy"]


def meeting_with(
    console: Console, number: int, *, invitees: int, decisions: int, actions: int
) -> None:
    """A running meeting in #team with this many invitees (with agencies), decisions and actions."""
    people = " ".join(f"@p{number}_{k}" for k in range(invitees))
    printed = console(
        f"/mdt new Meeting {number} today at 10am with {people}", f"/mdt start M{number}"
    )
    assert f"M{number} has started" in printed
    now = console.session.now
    with console.store.transaction(now) as session:
        meeting = session.scalars(select(Meeting).where(Meeting.number == number)).one()
        workspace = session.get(Workspace, meeting.workspace_id)
        assert workspace is not None
        agencies = [
            Agency(workspace_id=workspace.id, name=f"Agency {number}-{k}", sector=sector)
            for k, sector in enumerate(SECTORS)
        ]
        session.add_all(agencies)
        session.flush()
        invitations = session.scalars(
            select(Invitation).where(Invitation.meeting_id == meeting.id)
        ).all()
        for k, invitation in enumerate(invitations):
            invitation.person.agency_id = agencies[k % len(agencies)].id
            invitation.rsvp = ("attending", "apologies", "invited")[k % 3]
            invitation.attended = invitation.rsvp == "attending"
            if k % 3 == 1 and k + 1 < len(invitations):
                invitations[k + 1].deputy_for_id = invitation.person_id
        owners = [i.person_id for i in invitations]
        for k in range(decisions):
            session.add(
                Decision(
                    meeting_id=meeting.id,
                    text=f"Decision {k}",
                    rationale=f"reason {k}" if k % 2 else None,
                    author_id=meeting.chair_id,
                    to_ratify=bool(k % 3),
                    created_at=now,
                )
            )
            session.add(
                Note(
                    meeting_id=meeting.id,
                    text=f"Note {k}",
                    author_id=owners[k % len(owners)],
                    created_at=now,
                )
            )
        for k in range(actions):
            session.add(
                Action(
                    workspace_id=workspace.id,
                    number=workspace.next_action_number,
                    meeting_id=meeting.id,
                    owner_id=owners[k % len(owners)],
                    description=f"Task {k}",
                    measure="evidence on file" if k % 2 else None,
                    due=date(2027, 1, 25) + timedelta(days=k % 40),
                    status="open" if k % 4 else "done",
                    accepted=bool(k % 5),
                    created_by_id=meeting.chair_id,
                    created_at=now,
                )
            )
            workspace.next_action_number += 1


def statements_for(console: Console, line: str) -> list[str]:
    with counting_statements(console.store.engine) as statements:
        printed = console(line)
    assert "Sorry" not in printed
    assert "[only @priya]" in printed
    return statements


@pytest.mark.parametrize(
    "command",
    [
        pytest.param("/mdt show M{n}", id="show"),
        pytest.param("/mdt minutes M{n} html", id="minutes-html"),
        pytest.param("/mdt minutes M{n} txt", id="minutes-txt"),
        pytest.param("/mdt actions M{n}", id="actions-of-meeting"),
    ],
)
def test_reading_a_meeting_costs_the_same_for_2_or_200_actions(
    console: Console, command: str
) -> None:
    meeting_with(console, 1, invitees=3, decisions=1, actions=2)
    meeting_with(console, 2, invitees=30, decisions=50, actions=200)
    small = statements_for(console, command.format(n=1))
    large = statements_for(console, command.format(n=2))
    assert len(large) == len(small), "\n\n".join(large)
    assert len(large) <= 20, "\n\n".join(large)  # the record adds corrections, addenda, escalations


def test_show_lists_every_row_of_the_big_meeting(console: Console) -> None:
    meeting_with(console, 1, invitees=30, decisions=50, actions=200)
    printed = console("/mdt show M1")
    assert "Task 0," in printed
    assert "Task 199," in printed
    assert "50. Decision 49" in printed
    assert printed.count("] SMART:") == 200
