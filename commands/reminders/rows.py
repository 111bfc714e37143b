"""Keeps an action's reminder rows in step with the action, in the transaction that changed it."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.language.workdays import WorkingCalendar
from commands.reminders.policy import Planned, ReminderPolicy, plan
from storage.models import Action, Person, Reminder, ReminderSettings, Workspace
from storage.reminder_queries import reminders_of
from storage.status import ActionStatus, ReminderStatus

OPEN = ActionStatus.OPEN


@cache
def working_calendar(nation: str) -> WorkingCalendar:
    """One working calendar per UK nation, shared."""
    return WorkingCalendar(nation)


def policy_for(session: Session, workspace_id: int) -> ReminderPolicy:
    """The workspace's reminder policy, or the contract's defaults."""
    stored = session.scalar(
        select(ReminderSettings.policy).where(ReminderSettings.workspace_id == workspace_id)
    )
    return ReminderPolicy.from_json(stored)


def set_policy(session: Session, workspace_id: int, policy: ReminderPolicy) -> None:
    """Store a workspace's own reminder policy."""
    settings = session.get(ReminderSettings, workspace_id)
    if settings is None:
        session.add(ReminderSettings(workspace_id=workspace_id, policy=policy.to_json()))
    else:
        settings.policy = policy.to_json()


def zone_of(person: Person, workspace: Workspace) -> ZoneInfo:
    """A person's own zone, or the workspace's."""
    return ZoneInfo(person.timezone or workspace.timezone)


def refresh_reminders(
    session: Session,
    action: Action,
    now: datetime,
    *,
    told_at: datetime | None = None,
    calendar: WorkingCalendar | None = None,
    policy: ReminderPolicy | None = None,
    rows: list[Reminder] | None = None,
    owner: Person | None = None,
) -> None:
    """(Re)compute an action's reminders after it was recorded, moved, given away or closed.

    `rows`, when given, are all of the action's reminder rows (saves a query). Pending
    reminders the action no longer needs are cancelled; missing ones due after `now`
    are added; ones already sent stay sent (their key, action:kind:due, keeps them from
    being sent again). `told_at` is when the owner was last told of the action in full.
    """
    by_key = {r.key: r for r in (reminders_of(session, action.id) if rows is None else rows)}
    if action.status != OPEN:
        for row in by_key.values():
            if row.status == ReminderStatus.PENDING:
                row.status, row.settled_at = ReminderStatus.CANCELLED, now
        return
    workspace = session.get(Workspace, action.workspace_id)
    owner = owner or session.get(Person, action.owner_id)
    if workspace is None or owner is None:
        raise LookupError(f"action {action.id} has no workspace or owner")
    calendar = calendar or working_calendar(workspace.holidays_nation)
    policy = policy or policy_for(session, workspace.id)
    zone = zone_of(owner, workspace)
    wanted = {
        p.key(action.id, action.due): p
        for p in plan(action.due, told_at or action.created_at, zone, calendar, policy, now=now)
    }
    for key, row in by_key.items():
        if row.status == ReminderStatus.PENDING and key not in wanted:
            row.status, row.settled_at = ReminderStatus.CANCELLED, now
    for key, planned in wanted.items():
        found = by_key.get(key)
        if found is None:
            if planned.at > now:
                session.add(_row(action, key, planned, now))
        elif found.status == ReminderStatus.PENDING:
            if found.due_at != planned.at and found.claimed_by is None:
                found.due_at = planned.at
            found.escalate = planned.escalate
        elif found.status == ReminderStatus.CANCELLED and planned.at > now:
            found.status, found.settled_at, found.due_at = ReminderStatus.PENDING, None, planned.at
            found.escalate = planned.escalate


def _row(action: Action, key: str, planned: Planned, now: datetime) -> Reminder:
    return Reminder(
        workspace_id=action.workspace_id,
        action_id=action.id,
        key=key,
        kind=planned.kind,
        number=planned.number,
        escalate=planned.escalate,
        due_at=planned.at,
        status=ReminderStatus.PENDING,
        created_at=now,
    )
