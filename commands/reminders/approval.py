"""The chair hears when draft minutes wait: once when the window closes, once at 10 working days.

Found by the sweep: a meeting whose minutes are still a draft, whose correction window has
closed (the chair is reminded to approve them) or which ended more than 10 working days ago
(the chair is told they are late, as reviews count them). Each notice goes to the outbox
under a unique key, `minutes:<meeting>:window` or `minutes:<meeting>:late`, and marks the
meeting in the same transaction, so a second worker at the same moment is refused on insert
and the chair hears each notice once. When a stopped worker comes back after both are due,
only the late notice goes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commands.documents.views import meeting_view
from commands.outbox.queue import dm_to, enqueue
from commands.record.lifecycle import approve_buttons, waiting_corrections
from commands.record.minutes import (
    APPROVAL_DAYS,
    CORRECTION_WINDOW_DAYS,
    approval_due,
    window_closes,
)
from commands.reminders.notices import PolicyOf, queue_each
from commands.reminders.policy import next_delivery
from commands.reminders.rows import working_calendar, zone_of
from storage.db import Store
from storage.models import Meeting, Workspace


def notice_key(meeting_id: int, which: str) -> str:
    """The outbox key of the chair's `window` or `late` notice about one meeting's minutes."""
    return f"minutes:{meeting_id}:{which}"


def _candidates(session: Session, now: datetime, limit: int) -> list[int]:
    # A working day is at least a calendar day: nothing ended in the last few days is due.
    query = (
        select(Meeting.id)
        .where(
            Meeting.minutes_status == "draft",
            Meeting.closed_at.is_not(None),
            Meeting.closed_at <= now - timedelta(days=CORRECTION_WINDOW_DAYS),
            or_(Meeting.window_reminded.is_(False), Meeting.late_flagged.is_(False)),
        )
        .order_by(Meeting.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def tell_chairs(
    store: Store, now: datetime, policy_of: PolicyOf, *, limit: int = 500
) -> tuple[int, int]:
    """Queue each notice about waiting minutes now due; (queued, refused as already queued)."""
    return queue_each(store, now, policy_of, _candidates, _tell, limit=limit)


def _tell(session: Session, meeting_id: int, now: datetime, policy_of: PolicyOf) -> int:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.minutes_status != "draft" or meeting.closed_at is None:
        return 0
    workspace = session.get(Workspace, meeting.workspace_id)
    assert workspace is not None
    calendar = working_calendar(workspace.holidays_nation)
    today = now.astimezone(ZoneInfo(meeting.timezone)).date()
    closes = window_closes(meeting, calendar)
    late = approval_due(meeting, calendar)
    assert closes is not None
    assert late is not None
    which = None
    if today > late and not meeting.late_flagged:
        which = "late"
    elif today > closes and not meeting.window_reminded and not meeting.late_flagged:
        which = "window"
    if which is None:
        return 0
    chair = meeting.chair
    zone = zone_of(chair, workspace)
    if next_delivery(now, zone, calendar, policy_of(session, workspace.id)) > now:
        return 0
    waiting = len(waiting_corrections(session, meeting))
    ended = meeting.closed_at.astimezone(ZoneInfo(meeting.timezone)).date()
    message = dm_to(
        chair,
        workspace,
        "lifecycle:window_closing" if which == "window" else "lifecycle:approval_late",
        meeting=meeting_view(meeting, today),
        closes=closes,
        ended=ended,
        days=calendar.working_days_between(ended, today),
        aim=APPROVAL_DAYS,
        waiting=waiting,
    )
    if not waiting:
        message = replace(message, buttons=approve_buttons(meeting), kind="approval_request")
    key = notice_key(meeting.id, which)
    enqueue(session, workspace, message, key=key, now=now, person_id=chair.id)
    meeting.window_reminded = True
    meeting.late_flagged = meeting.late_flagged or which == "late"
    session.flush()
    return 1
