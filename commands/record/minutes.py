"""The minutes for a moment: the snapshot taken at `/mdt end` plus the dated history since.

Everything shown is either in the snapshot or carries a time no later than the moment asked
for, so the minutes of a meeting rendered for a given moment never change afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from commands.documents.views import (
    ActionView,
    DecisionView,
    MeetingView,
    NoteView,
    PersonView,
    decision_view,
    meeting_view,
    person_view,
)
from commands.escalation.history import escalations_by_decision
from commands.language.workdays import WorkingCalendar
from commands.record.history import ActionRecord, action_record, as_agreed
from commands.record.outcomes import dissent_views, ratification_view
from commands.record.snapshot import freeze, thaw
from storage.models import Addendum, Correction, Decision, Meeting, Person
from storage.queries import load_meeting_in_full

CORRECTION_WINDOW_DAYS = 5
APPROVAL_DAYS = 10


@dataclass(frozen=True)
class CorrectionView:
    """A proposed correction and the chair's answer, as at the moment shown."""

    number: int
    text: str
    author: PersonView
    at: datetime
    status: str
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AddendumView:
    """A dated, signed addition below approved minutes."""

    text: str
    author: PersonView
    at: datetime


@dataclass(frozen=True)
class MinutesState:
    """What every format carries: the marking, the version, the status and the date produced."""

    marking: str
    version: int
    status: str
    produced_at: datetime
    approved_at: datetime | None = None
    approved_by: PersonView | None = None
    window_closes: date | None = None


@dataclass(frozen=True)
class Minutes:
    """The minutes of one meeting as at one moment."""

    meeting: MeetingView
    state: MinutesState
    since: list[ActionRecord] = field(default_factory=list)
    corrections: list[CorrectionView] = field(default_factory=list)
    addenda: list[AddendumView] = field(default_factory=list)
    ratified_here: list[DecisionView] = field(default_factory=list)
    next_meeting: MeetingView | None = None

    @property
    def is_draft(self) -> bool:
        """Not yet approved."""
        return self.state.status == "draft"


def take_snapshot(session: Session, meeting: Meeting, today: date) -> None:
    """Freeze the meeting's record as it stands at `/mdt end`."""
    full = load_meeting_in_full(session, meeting.id)
    meeting.record = freeze(meeting_view(full, today, full=True))


def window_closes(meeting: Meeting, calendar: WorkingCalendar) -> date | None:
    """The last day of the correction window, in the meeting's zone."""
    if meeting.closed_at is None:
        return None
    ended = meeting.closed_at.astimezone(ZoneInfo(meeting.timezone)).date()
    return calendar.add_working_days(ended, CORRECTION_WINDOW_DAYS)


def approval_due(meeting: Meeting, calendar: WorkingCalendar) -> date | None:
    """The last day, in the meeting's zone, on which approving its minutes is on time."""
    if meeting.closed_at is None:
        return None
    ended = meeting.closed_at.astimezone(ZoneInfo(meeting.timezone)).date()
    return calendar.add_working_days(ended, APPROVAL_DAYS)


def _decisions(meeting: Meeting, base: MeetingView, at: datetime) -> list[DecisionView]:
    by_ref = {d.ref: d for d in base.decisions}
    shown: list[DecisionView] = []
    session = object_session(meeting)
    assert session is not None
    escalated = escalations_by_decision(session, [d.id for d in meeting.decisions], at)
    for number, row in enumerate(meeting.decisions, 1):
        frozen = by_ref.get(row.ref) if row.number is not None else None
        if frozen is None and base.decisions and row.number is None:
            frozen = base.decisions[number - 1] if number <= len(base.decisions) else None
        if frozen is None:
            if row.created_at > at:
                continue
            frozen = replace(decision_view(number, row), late=_late(meeting, row.created_at))
        shown.append(
            replace(
                frozen,
                dissents=dissent_views(row, at),
                ratification=ratification_view(row, at),
                escalations=escalated.get(row.id, []),
            )
        )
    return shown


def _late(meeting: Meeting, at: datetime) -> bool:
    return meeting.closed_at is not None and at > meeting.closed_at


def _notes(meeting: Meeting, base: MeetingView, at: datetime) -> list[NoteView]:
    if meeting.record is None:
        return base.notes
    late = [
        NoteView(person_view(n.author), n.text, n.created_at, late=True)
        for n in meeting.notes
        if _late(meeting, n.created_at) and n.created_at <= at
    ]
    return [*base.notes, *late]


def _actions(
    session: Session, meeting: Meeting, base: MeetingView, at: datetime, today: date
) -> tuple[list[ActionView], list[ActionRecord]]:
    frozen = {a.ref: a for a in base.actions} if meeting.record is not None else {}
    agreed: list[ActionView] = []
    records: list[ActionRecord] = []
    for row in meeting.actions:
        start = frozen.get(row.ref)
        if start is None:
            if row.created_at > at:
                continue
            creator = session.get(Person, row.created_by_id)
            start = replace(
                as_agreed(row, today),
                late=_late(meeting, row.created_at),
                recorded_by=person_view(creator) if creator else None,
            )
        agreed.append(start)
        records.append(action_record(row, today, agreed=start, until=at))
    return agreed, records


def _corrections(session: Session, meeting: Meeting, at: datetime) -> list[CorrectionView]:
    rows = session.scalars(
        select(Correction)
        .where(Correction.meeting_id == meeting.id, Correction.created_at <= at)
        .order_by(Correction.number)
    ).all()
    views = []
    for row in rows:
        decided = row.decided_at is not None and row.decided_at <= at
        views.append(
            CorrectionView(
                number=row.number,
                text=row.text,
                author=person_view(row.author),
                at=row.created_at,
                status=row.status if decided else "proposed",
                decided_at=row.decided_at if decided else None,
                reason=row.reason if decided else None,
            )
        )
    return views


def _addenda(session: Session, meeting: Meeting, at: datetime) -> list[AddendumView]:
    rows = session.scalars(
        select(Addendum)
        .where(Addendum.meeting_id == meeting.id, Addendum.created_at <= at)
        .order_by(Addendum.created_at, Addendum.id)
    ).all()
    return [AddendumView(r.text, person_view(r.author), r.created_at) for r in rows]


def _ratified_here(session: Session, meeting: Meeting, at: datetime) -> list[DecisionView]:
    rows = session.scalars(
        select(Decision)
        .where(Decision.ratified_in_id == meeting.id, Decision.ratified_at <= at)
        .order_by(Decision.ratified_at, Decision.id)
    ).all()
    return [
        replace(
            decision_view(0, d), meeting_ref=d.meeting.ref, ratification=ratification_view(d, at)
        )
        for d in rows
    ]


def _state(
    meeting: Meeting,
    corrections: list[CorrectionView],
    at: datetime,
    marking: str,
    calendar: WorkingCalendar,
) -> MinutesState:
    approved = meeting.approved_at is not None and meeting.approved_at <= at
    accepted = sum(1 for c in corrections if c.status == "accepted")
    by = None
    if approved and meeting.approved_by_id is not None:
        session = _session(meeting)
        person = session.get(Person, meeting.approved_by_id)
        by = person_view(person) if person else None
    return MinutesState(
        marking=marking,
        version=1 + accepted + (1 if approved else 0),
        status="approved" if approved else "draft",
        produced_at=at,
        approved_at=meeting.approved_at if approved else None,
        approved_by=by,
        window_closes=window_closes(meeting, calendar),
    )


def _session(meeting: Meeting) -> Session:
    session = object_session(meeting)
    assert session is not None
    return session


def minutes_for(
    session: Session,
    meeting: Meeting,
    at: datetime,
    *,
    marking: str,
    calendar: WorkingCalendar,
    next_meeting: Meeting | None = None,
) -> Minutes:
    """The minutes of a meeting as they stand at `at`."""
    full = load_meeting_in_full(session, meeting.id)
    today = at.astimezone(ZoneInfo(full.timezone)).date()
    base = thaw(full.record) if full.record else meeting_view(full, today, full=True)
    agreed, since = _actions(session, full, base, at, today)
    corrections = _corrections(session, full, at)
    view = replace(
        base,
        decisions=_decisions(full, base, at),
        notes=_notes(full, base, at),
        actions=agreed,
        started_at=full.started_at,
        closed_at=full.closed_at,
        venue=full.venue,
    )
    return Minutes(
        meeting=view,
        state=_state(full, corrections, at, marking, calendar),
        since=since if full.closed_at else [],
        corrections=corrections,
        addenda=_addenda(session, full, at),
        ratified_here=_ratified_here(session, full, at),
        next_meeting=meeting_view(next_meeting, today) if next_meeting else None,
    )
