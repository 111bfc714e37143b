"""Test data for the worker tests: one meeting and many actions, each with one reminder due."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage.db import Store
from storage.models import Action, Meeting, Person, Reminder, Workspace

DUE = date(2027, 3, 24)


def seed_due_reminders(store: Store, count: int, due_at: datetime) -> list[str]:
    """`count` open actions, each owned by its own console user and with a reminder due.

    Returns the line each delivery should produce: `<owner> <action ref>`.
    """
    now = due_at - timedelta(days=10)
    with store.transaction(now) as session:
        workspace = Workspace(
            platform="console",
            external_id="console",
            name="console",
            timezone="Europe/London",
            holidays_nation="England and Wales",
            next_meeting_number=2,
            next_action_number=count + 1,
            created_at=now,
        )
        session.add(workspace)
        session.flush()
        chair = Person(workspace_id=workspace.id, external_id="chair", display_name="chair")
        owners = [
            Person(workspace_id=workspace.id, external_id=f"user{i}", display_name=f"user{i}")
            for i in range(count)
        ]
        session.add_all([chair, *owners])
        session.flush()
        meeting = Meeting(
            workspace_id=workspace.id,
            number=1,
            title="Case review",
            chair_id=chair.id,
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            timezone="Europe/London",
            status="ended",
            channel="team",
            created_at=now,
        )
        session.add(meeting)
        session.flush()
        actions = [
            Action(
                workspace_id=workspace.id,
                number=i + 1,
                meeting_id=meeting.id,
                owner_id=owner.id,
                description=f"task {i + 1}",
                due=DUE,
                status="open",
                accepted=True,
                created_by_id=chair.id,
                created_at=now,
            )
            for i, owner in enumerate(owners)
        ]
        session.add_all(actions)
        session.flush()
        session.add_all(
            Reminder(
                workspace_id=workspace.id,
                action_id=action.id,
                key=f"{action.id}:due:{DUE.isoformat()}",
                kind="due",
                number=0,
                escalate=False,
                due_at=due_at,
                status="pending",
                created_at=now,
            )
            for action in actions
        )
    return [f"user{i} A{i + 1}" for i in range(count)]
