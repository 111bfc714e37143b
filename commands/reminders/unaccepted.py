"""The chair hears, once, of an action whose owner has not accepted it within 2 working days.

Found by the sweep, not planned as a reminder row: an open action not accepted, given to its
owner 2 working days ago or more, with no notice in the outbox yet under the key
`unaccepted:<action>:<owner>`. The key is unique in the outbox, so a second worker doing the
same pass at the same moment is refused on insert and the chair hears once per action and owner
(a reassigned action starts again for its new owner).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import Session, joinedload

from commands.documents.views import action_view, meeting_view
from commands.outbox.queue import dm_to, enqueue
from commands.people.absence import away_view_on
from commands.reminders.notices import PolicyOf, queue_each
from commands.reminders.policy import next_delivery
from commands.reminders.rows import OPEN, working_calendar, zone_of
from storage.db import Store
from storage.models import Action, ActionUpdate, OutboxMessage, Workspace

ACCEPT_WITHIN = 2  # working days from being given the action to accepting it
PREFIX = "unaccepted:"


def notice_key(action_id: int, owner_id: int) -> str:
    """The outbox key of the chair's notice about one owner not accepting one action."""
    return f"{PREFIX}{action_id}:{owner_id}"


def _candidates(session: Session, now: datetime, limit: int) -> list[int]:
    key = literal(PREFIX, String) + cast(Action.id, String) + ":" + cast(Action.owner_id, String)
    told = exists().where(OutboxMessage.key == key)
    query = (
        select(Action.id)
        .where(
            Action.status == OPEN,
            Action.accepted.is_(False),
            Action.created_at <= now - timedelta(days=ACCEPT_WITHIN),
            ~told,
        )
        .order_by(Action.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def _assigned_at(session: Session, action: Action) -> datetime:
    """When the current owner was given the action: its last reassignment, or its recording."""
    moved = session.scalar(
        select(func.max(ActionUpdate.created_at)).where(
            ActionUpdate.action_id == action.id,
            ActionUpdate.kind == "reassignment",
            ActionUpdate.new_owner_id == action.owner_id,
        )
    )
    return moved or action.created_at


def tell_chairs(
    store: Store, now: datetime, policy_of: PolicyOf, *, limit: int = 500
) -> tuple[int, int]:
    """Queue the chair's notice for each action due one; (queued, refused as already queued)."""
    return queue_each(store, now, policy_of, _candidates, _tell, limit=limit)


def _tell(session: Session, action_id: int, now: datetime, policy_of: PolicyOf) -> int:
    action = session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(joinedload(Action.owner), joinedload(Action.meeting))
    )
    if action is None or action.status != OPEN or action.accepted:
        return 0
    workspace = session.get(Workspace, action.workspace_id)
    assert workspace is not None
    chair = action.meeting.chair
    if chair.id == action.owner_id:
        return 0
    calendar = working_calendar(workspace.holidays_nation)
    owner_zone = zone_of(action.owner, workspace)
    given = _assigned_at(session, action).astimezone(owner_zone)
    due_day = calendar.add_working_days(given.date(), ACCEPT_WITHIN)
    if datetime.combine(due_day, given.timetz()) > now:
        return 0
    policy = policy_of(session, workspace.id)
    chair_zone = zone_of(chair, workspace)
    if next_delivery(now, chair_zone, calendar, policy) > now:
        return 0
    today = now.astimezone(chair_zone).date()
    message = dm_to(
        chair,
        workspace,
        "reminders:unaccepted",
        action=action_view(action, today),
        meeting=meeting_view(action.meeting, today),
        given=given.date(),
        days=calendar.working_days_between(given.date(), today),
        away=away_view_on(session, action.owner, now.astimezone(owner_zone).date(), calendar),
    )
    enqueue(
        session,
        workspace,
        message,
        key=notice_key(action.id, action.owner_id),
        now=now,
        action_id=action.id,
        person_id=chair.id,
    )
    session.flush()
    return 1
