"""The reminder sweep: claims due reminders, builds their messages and puts them in the outbox.

Platform-free: what it builds is delivered later by whichever platform's notifier the
workspace uses. A reminder is built from the action as it is now, and only the newest of an
action's due reminders goes: a backlog left by a stopped worker arrives once, not as a burst.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from commands.documents.views import action_view, meeting_view
from commands.messages import Message
from commands.outbox.queue import dm_to, enqueue
from commands.people.absence import absence_view, away_on, back_on
from commands.people.naming import action_buttons
from commands.reminders import approval
from commands.reminders.policy import ReminderPolicy, briefing_at, morning, next_delivery
from commands.reminders.rows import (
    OPEN,
    policy_for,
    refresh_reminders,
    working_calendar,
    zone_of,
)
from commands.reminders.unaccepted import tell_chairs
from storage.absences import absences_between
from storage.db import Store
from storage.models import Absence, Action, Meeting, OutboxMessage, Person, Reminder, Workspace
from storage.reminder_queries import claim_due_reminders, held_reminders, newest_due_of, rows_of
from storage.status import MeetingStatus, ReminderStatus

log = logging.getLogger(__name__)

BRIEFING_LOOKAHEAD = timedelta(days=8)


@dataclass
class SweepReport:
    """What one sweep did."""

    queued: int = 0
    skipped: int = 0
    deferred: int = 0
    cancelled: int = 0
    briefings: int = 0
    unaccepted: int = 0
    minutes: int = 0
    errors: int = 0
    keys: list[str] = field(default_factory=list)

    def add(self, other: SweepReport) -> None:
        """Add another report's counts to this one."""
        self.queued += other.queued
        self.skipped += other.skipped
        self.deferred += other.deferred
        self.cancelled += other.cancelled
        self.briefings += other.briefings
        self.unaccepted += other.unaccepted
        self.minutes += other.minutes
        self.errors += other.errors
        self.keys += other.keys


class ReminderSweep:
    """Claims due reminder rows in batches and turns each into outbox messages."""

    def __init__(
        self,
        store: Store,
        worker_id: str,
        *,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 100,
    ) -> None:
        self.store = store
        self.worker_id = worker_id
        self.lease = lease
        self.batch = batch
        self._policies: dict[int, ReminderPolicy] = {}

    def run(self, now: datetime) -> SweepReport:
        """One sweep as at `now`: the due reminders it can claim, briefings, chairs' notices."""
        report = SweepReport()
        self._policies.clear()
        while True:
            with self.store.transaction(now) as session:
                ids = claim_due_reminders(session, self.worker_id, now, self.lease, self.batch)
            if not ids:
                break
            self._settle_batch(ids, now, report)
        self._briefings(now, report)
        report.unaccepted += tell_chairs(self.store, now, self._policy)[0]
        report.minutes += approval.tell_chairs(self.store, now, self._policy)[0]
        return report

    # Reminders ------------------------------------------------------------------------------

    def _settle_batch(self, ids: list[int], now: datetime, report: SweepReport) -> None:
        """Settle a claimed batch in one transaction; on a fault, one action at a time."""
        try:
            with self.store.transaction(now) as session:
                batch = SweepReport()
                self._settle_group(session, ids, now, batch)
        except Exception:
            log.warning("a batch of reminders failed; settling its actions one by one")
        else:
            report.add(batch)
            return
        with self.store.transaction(now) as session:
            groups = {a: [r.id for r in rows] for a, rows in self._held(session, ids).items()}
        for action_id, row_ids in groups.items():
            try:
                with self.store.transaction(now) as session:
                    one = SweepReport()
                    self._settle_group(session, row_ids, now, one)
                report.add(one)
            except Exception:
                report.errors += 1
                log.exception("reminders of action %s left for a later sweep", action_id)

    def _held(self, session: Session, ids: list[int]) -> dict[int, list[Reminder]]:
        by_action: dict[int, list[Reminder]] = defaultdict(list)
        for row in held_reminders(session, self.worker_id, ids):
            by_action[row.action_id].append(row)
        return by_action

    def _settle_group(
        self, session: Session, ids: list[int], now: datetime, report: SweepReport
    ) -> None:
        """Settle claimed rows, loading their actions, owners and sibling rows in a few queries."""
        with session.no_autoflush:
            held = self._held(session, ids)
            if not held:
                return
            action_ids = list(held)
            actions = {
                a.id: a
                for a in session.scalars(
                    select(Action)
                    .where(Action.id.in_(action_ids))
                    .options(joinedload(Action.owner), joinedload(Action.meeting))
                )
            }
            wanted = {a.workspace_id for a in actions.values()}
            workspaces = {
                w.id: w for w in session.scalars(select(Workspace).where(Workspace.id.in_(wanted)))
            }
            newest = newest_due_of(session, action_ids, now)
            siblings = rows_of(session, action_ids)
            away = _absences(session, [a.owner_id for a in actions.values()], now)
            for action_id, rows in held.items():
                action = actions.get(action_id)
                self._settle_action(
                    session,
                    action,
                    workspaces[action.workspace_id] if action else None,
                    rows,
                    newest=newest.get(action_id),
                    siblings=siblings.get(action_id, []),
                    away=away,
                    now=now,
                    report=report,
                )
        session.flush()

    def _settle_action(
        self,
        session: Session,
        action: Action | None,
        workspace: Workspace | None,
        rows: list[Reminder],
        *,
        newest: datetime | None,
        siblings: list[Reminder],
        away: dict[int, list[Absence]],
        now: datetime,
        report: SweepReport,
    ) -> None:
        if action is None or workspace is None or action.status != OPEN:
            for row in rows:
                _settle(row, ReminderStatus.CANCELLED, now)
            report.cancelled += len(rows)
            return
        chosen = rows[-1] if rows[-1].due_at == newest else None
        for row in rows:
            if row is not chosen:
                _settle(row, ReminderStatus.SKIPPED, now)
                report.skipped += 1
        if chosen is None:
            return
        owner = action.owner
        policy = self._policy(session, workspace.id)
        calendar = working_calendar(workspace.holidays_nation)
        zone = zone_of(owner, workspace)
        absence = away_on(away.get(owner.id, []), now.astimezone(zone).date())
        cover = absence.cover if absence is not None else None
        if cover is not None and away_on(
            away.get(cover.id, []), now.astimezone(zone_of(cover, workspace)).date()
        ):
            cover = None  # the cover is away too: as though nobody covers
        escalating = chosen.kind == "chaser" and chosen.escalate
        if absence is not None and cover is None and not escalating:
            # Nobody covers: the owner hears nothing until they are back.
            back = morning(back_on(absence.ends_on, calendar), zone, calendar, policy)
            _defer(chosen, back, report)
            return
        reader = cover or owner
        when = next_delivery(now, zone_of(reader, workspace), calendar, policy)
        if when > now:
            _defer(chosen, when, report)
            return
        for part, person, message in _reminder_messages(
            action, chosen, workspace, now, absence=absence, cover=cover
        ):
            enqueue(
                session,
                workspace,
                message,
                key=f"{chosen.key}:{part}",
                now=now,
                reminder_id=chosen.id,
                action_id=action.id,
                person_id=person.id if person else None,
            )
        _settle(chosen, ReminderStatus.SENT, now)
        report.queued += 1
        report.keys.append(chosen.key)
        refresh_reminders(
            session, action, now, calendar=calendar, policy=policy, rows=siblings, owner=owner
        )

    def _policy(self, session: Session, workspace_id: int) -> ReminderPolicy:
        if workspace_id not in self._policies:
            self._policies[workspace_id] = policy_for(session, workspace_id)
        return self._policies[workspace_id]

    # Briefings before a meeting of the same case ---------------------------------------------

    def _briefings(self, now: datetime, report: SweepReport) -> None:
        with self.store.transaction(now) as session:
            upcoming = session.scalars(
                select(Meeting.id).where(
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.case_ref.is_not(None),
                    Meeting.starts_at > now,
                    Meeting.starts_at <= now + BRIEFING_LOOKAHEAD,
                )
            ).all()
        for meeting_id in upcoming:
            try:
                with self.store.transaction(now) as session:
                    meeting = session.get(Meeting, meeting_id)
                    if meeting is not None:
                        report.briefings += self._brief(session, meeting, now)
            except IntegrityError:
                pass  # another worker queued this briefing a moment ago

    def _brief(self, session: Session, meeting: Meeting, now: datetime) -> int:
        workspace = session.get(Workspace, meeting.workspace_id)
        assert workspace is not None
        chair = meeting.chair
        zone = zone_of(chair, workspace)
        calendar = working_calendar(workspace.holidays_nation)
        policy = self._policy(session, workspace.id)
        if briefing_at(meeting.starts_at, zone, calendar, policy) > now:
            return 0
        if next_delivery(now, zone, calendar, policy) > now:
            return 0
        key = f"meeting:{meeting.id}:outstanding:{meeting.starts_at.date().isoformat()}"
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
            return 0
        earlier = select(Meeting.id).where(
            Meeting.workspace_id == meeting.workspace_id,
            func.lower(Meeting.case_ref) == (meeting.case_ref or "").lower(),
            Meeting.id != meeting.id,
            Meeting.starts_at < meeting.starts_at,
        )
        outstanding = session.scalars(
            select(Action)
            .where(Action.meeting_id.in_(earlier), Action.status == OPEN)
            .order_by(Action.due, Action.number)
        ).all()
        if not outstanding:
            return 0
        today = now.astimezone(zone).date()
        message = dm_to(
            chair,
            workspace,
            "reminders:outstanding",
            meeting=meeting_view(meeting, today),
            actions=[action_view(a, today) for a in outstanding],
        )
        enqueue(session, workspace, message, key=key, now=now, person_id=chair.id)
        session.flush()
        return 1


def _absences(session: Session, owner_ids: list[int], now: datetime) -> dict[int, list[Absence]]:
    """The absences around today of these owners and of those covering for them (two queries)."""
    first, last = now.date() - timedelta(days=1), now.date() + timedelta(days=1)
    found = absences_between(session, owner_ids, first, last)
    covers = {a.cover_id for rows in found.values() for a in rows if a.cover_id is not None}
    return {**absences_between(session, covers - set(found), first, last), **found}


def _defer(row: Reminder, when: datetime, report: SweepReport) -> None:
    row.due_at = when
    row.claimed_by = row.claimed_until = None
    report.deferred += 1


def _settle(row: Reminder, status: str, now: datetime) -> None:
    row.status, row.settled_at = status, now
    row.claimed_by = row.claimed_until = None


def _reminder_messages(
    action: Action,
    row: Reminder,
    workspace: Workspace,
    now: datetime,
    *,
    absence: Absence | None = None,
    cover: Person | None = None,
) -> list[tuple[str, Person | None, Message]]:
    """The owner's reminder and, for an escalating chaser, the chair's and the channel's notes.

    An owner away with a cover: the cover gets the reminder, saying whom they cover for. Away
    with nobody covering: only an escalating chaser goes, to the chair and the channel, saying
    the owner is away (the sweep keeps the others until the owner is back).
    """
    owner = action.owner
    meeting = action.meeting
    calendar = working_calendar(workspace.holidays_nation)
    today = now.astimezone(zone_of(owner, workspace)).date()
    view = action_view(action, today)
    away = absence_view(absence, calendar) if absence else None
    if away is not None and cover is None:
        away = replace(away, cover=None)
    meeting_summary = meeting_view(meeting, today)
    facts: dict[str, object] = {
        "action": view,
        "meeting": meeting_summary,
        "number": row.number,
        "late_days": calendar.working_days_between(action.due, today),
        "escalate": row.escalate,
        "today": today,
        "holiday": calendar.holiday_name(action.due),
        "away": away,
    }
    found: list[tuple[str, Person | None, Message]] = []
    if absence is None:
        to_owner = dm_to(owner, workspace, f"reminders:{row.kind}", **facts)
        found.append(("owner", owner, _with_buttons(to_owner, action.ref)))
    elif cover is not None:
        note = dm_to(cover, workspace, "reminders:covering", kind=row.kind, **facts)
        found.append(("cover", cover, note))
    if row.kind == "chaser" and row.escalate:
        chair = meeting.chair
        if chair.id != owner.id:
            found.append(("chair", chair, dm_to(chair, workspace, "reminders:escalation", **facts)))
        channel_note = Message(
            audience="channel",
            template="reminders:escalation_channel",
            context=facts,
            zone=workspace.timezone,
            channel=meeting.channel,
        )
        found.append(("channel", None, channel_note))
    return found


def _with_buttons(message: Message, ref: str) -> Message:
    return Message(
        audience=message.audience,
        template=message.template,
        context=message.context,
        zone=message.zone,
        recipient=message.recipient,
        buttons=action_buttons(ref),
        kind="reminder",
    )
