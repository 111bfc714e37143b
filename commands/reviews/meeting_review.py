"""KEEP / STOP / START reviews of a meeting: opening, adding, the facts, closing (also by clock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from commands.actions.standing import is_smart, on_time
from commands.documents.views import MeetingView, meeting_view
from commands.language.workdays import WorkingCalendar
from commands.meetings.series import previous_meeting
from commands.messages import Button, Message
from commands.outbox.queue import enqueue
from storage.db import Store
from storage.models import Action, Meeting, Person, Review, ReviewItem, Workspace
from storage.queries import load_meeting_in_full
from storage.status import ReviewStatus

KINDS = ("keep", "stop", "start")
OPEN_FOR_WORKING_DAYS = 2


@dataclass(frozen=True)
class ItemView:
    """One review item as shown: numbered, never attributed."""

    number: int
    kind: str
    text: str
    action_ref: str | None


@dataclass(frozen=True)
class AgencyCount:
    """How many people from one agency attended."""

    agency: str
    sector: str
    people: int


@dataclass(frozen=True)
class MeetingFacts:
    """What the records say about one meeting."""

    attendance: list[AgencyCount]
    decisions: int
    to_ratify: int
    actions: int
    smart: int
    previous_ref: str | None
    previous_actions: int
    previous_on_time: int


@dataclass
class ReviewView:
    """A meeting's review: what people said, who answered, and the meeting's facts."""

    meeting: MeetingView
    status: str
    closes_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    attendees: int
    respondents: int
    facts: MeetingFacts
    by_kind: dict[str, list[ItemView]] = field(default_factory=dict)


def attendees(meeting: Meeting) -> list[Person]:
    """Everyone who attended, each once (the chair included)."""
    seen: dict[int, Person] = {}
    for invitation in meeting.invitations:
        if invitation.attended or invitation.person_id == meeting.chair_id:
            seen.setdefault(invitation.person_id, invitation.person)
    return list(seen.values())


def review_of(session: Session, meeting: Meeting, *, lock: bool = False) -> Review | None:
    """A meeting's review, if it has one (locked for update when asked)."""
    query = select(Review).where(Review.meeting_id == meeting.id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def closing_time(ended: datetime, zone: ZoneInfo, calendar: WorkingCalendar) -> datetime:
    """Two working days after the meeting ended, at the same wall time."""
    local = ended.astimezone(zone)
    day = calendar.add_working_days(local.date(), OPEN_FOR_WORKING_DAYS)
    return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)


def review_buttons(ref: str) -> tuple[Button, ...]:
    """KEEP, STOP and START buttons: each asks for the text of one item."""
    return (
        Button("KEEP", "review", ref, "keep"),
        Button("STOP", "review", ref, "stop"),
        Button("START", "review", ref, "start"),
    )


def open_review(
    session: Session, meeting: Meeting, now: datetime, calendar: WorkingCalendar
) -> Review:
    """Open a meeting's review, closing two working days from now."""
    zone = ZoneInfo(_workspace(session, meeting).timezone)
    review = Review(
        workspace_id=meeting.workspace_id,
        meeting_id=meeting.id,
        status=ReviewStatus.OPEN,
        opened_at=now,
        closes_at=closing_time(now, zone, calendar),
    )
    session.add(review)
    session.flush()
    return review


def _workspace(session: Session, meeting: Meeting) -> Workspace:
    workspace = session.get(Workspace, meeting.workspace_id)
    assert workspace is not None
    return workspace


def meeting_facts(session: Session, meeting: Meeting) -> MeetingFacts:
    """Attendance by agency, decisions, actions and SMART, and the previous meeting's record."""
    counts: dict[tuple[str, str], int] = {}
    for person in (i.person for i in meeting.invitations if i.attended):
        agency = person.agency
        key = (agency.name, agency.sector) if agency else ("Agency not given", "")
        counts[key] = counts.get(key, 0) + 1
    actions = [
        a for a in meeting.actions if meeting.closed_at is None or a.created_at <= meeting.closed_at
    ]
    smart = [a for a in actions if is_smart(a)]
    previous = previous_meeting(session, meeting)
    zone = ZoneInfo(meeting.timezone)
    earlier = list(previous.actions) if previous else []
    return MeetingFacts(
        attendance=[AgencyCount(name, sector, n) for (name, sector), n in counts.items()],
        decisions=len(meeting.decisions),
        to_ratify=sum(1 for d in meeting.decisions if d.to_ratify),
        actions=len(actions),
        smart=len(smart),
        previous_ref=previous.ref if previous else None,
        previous_actions=len(earlier),
        previous_on_time=sum(1 for a in earlier if on_time(a, zone)),
    )


def review_view(session: Session, review: Review, today: Any) -> ReviewView:
    """The view of a review, for the chair's look at it and for the summary."""
    meeting = load_meeting_in_full(session, review.meeting_id)
    items = list(
        session.scalars(
            select(ReviewItem)
            .where(ReviewItem.review_id == review.id)
            .order_by(ReviewItem.position)
        ).all()
    )
    action_refs = {
        a.id: a.ref
        for a in session.scalars(
            select(Action).where(Action.id.in_([i.action_id for i in items if i.action_id]))
        ).all()
    }
    closer = session.get(Person, review.closed_by_id) if review.closed_by_id else None
    return ReviewView(
        meeting=meeting_view(meeting, today),
        status=review.status,
        closes_at=review.closes_at,
        closed_at=review.closed_at,
        closed_by=closer.display_name if closer else None,
        attendees=len(attendees(meeting)),
        respondents=len({i.author_id for i in items}),
        facts=meeting_facts(session, meeting),
        by_kind={
            kind: [
                ItemView(number, i.kind, i.text, action_refs.get(i.action_id or 0))
                for number, i in enumerate(items_of_kind(items, kind), 1)
            ]
            for kind in KINDS
        },
    )


def items_of_kind(items: list[ReviewItem], kind: str) -> list[ReviewItem]:
    """One list's items in the order they were added: KEEP, STOP and START each count from 1."""
    return sorted((i for i in items if i.kind == kind), key=lambda i: i.position)


def close_review(
    session: Session, review: Review, now: datetime, closer: Person | None
) -> ReviewView:
    """Close an open review; the caller posts the summary that comes back."""
    review.status = ReviewStatus.CLOSED
    review.closed_at = now
    review.closed_by_id = closer.id if closer else None
    session.flush()
    workspace = session.get(Workspace, review.workspace_id)
    assert workspace is not None
    today = now.astimezone(ZoneInfo(workspace.timezone)).date()
    return review_view(session, review, today)


def summary_message(view: ReviewView, workspace: Workspace, review_id: int) -> Message:
    """The summary posted to the meeting's channel when its review closes.

    `meta["key"]` is unique to the review, for an outbox that sends each message once.
    """
    return Message(
        audience="channel",
        template="reviews:summary",
        context={"review": view},
        zone=workspace.timezone,
        channel=view.meeting.channel,
        kind="review_summary",
        meta={"review": view.meeting.ref, "key": f"review:{review_id}:summary"},
    )


def _close_due_in(session: Session, now: datetime) -> list[Message]:
    query = (
        select(Review)
        .where(Review.status == ReviewStatus.OPEN, Review.closes_at <= now)
        .order_by(Review.closes_at, Review.id)
        .with_for_update(skip_locked=True)
    )
    messages = []
    for review in session.scalars(query).all():
        workspace = session.get(Workspace, review.workspace_id)
        assert workspace is not None
        session.info["workspace_id"] = workspace.id
        view = close_review(session, review, now, None)
        messages.append(summary_message(view, workspace, review.id))
    return messages


def close_due_reviews(target: Store | Session, now: datetime) -> list[Message]:
    """Close every review open past its time and return the summaries to post.

    Given a Store, each review closes in a transaction of its own and a review that another
    worker closed first is skipped; given a Session, the caller owns the transaction.
    """
    if isinstance(target, Session):
        return _close_due_in(target, now)
    with target.transaction(now) as session:
        due = list(
            session.scalars(
                select(Review.id).where(Review.status == ReviewStatus.OPEN, Review.closes_at <= now)
            ).all()
        )
    messages: list[Message] = []
    for review_id in due:
        messages += _close_one(target, review_id, now)
    return messages


def close_due_reviews_to_outbox(store: Store, now: datetime) -> int:
    """The worker's step: close due reviews, each summary queued in the outbox with its close."""
    with store.transaction(now) as session:
        due = list(
            session.scalars(
                select(Review.id).where(Review.status == ReviewStatus.OPEN, Review.closes_at <= now)
            ).all()
        )

    def queue(session: Session, workspace: Workspace, message: Message) -> None:
        enqueue(session, workspace, message, key=str(message.meta["key"]), now=now)

    return sum(len(_close_one(store, review_id, now, queue)) for review_id in due)


def _close_one(
    store: Store,
    review_id: int,
    now: datetime,
    queue: Callable[[Session, Workspace, Message], None] | None = None,
) -> list[Message]:
    try:
        with store.transaction(now) as session:
            review = session.scalar(
                select(Review)
                .where(Review.id == review_id, Review.status == ReviewStatus.OPEN)
                .with_for_update(skip_locked=True)
            )
            if review is None:
                return []
            workspace = session.get(Workspace, review.workspace_id)
            assert workspace is not None
            session.info["workspace_id"] = workspace.id
            view = close_review(session, review, now, None)
            message = summary_message(view, workspace, review.id)
            if queue is not None:
                queue(session, workspace, message)
            return [message]
    except StaleDataError:
        return []  # another worker closed it between our read and our write


Sweep = Callable[[datetime], list[Message]]


def review_sweep(store: Store, then: Sweep | None = None) -> Sweep:
    """A sweep for the console's `:clock`: closes due reviews, then runs `then` (reminders)."""

    def sweep(now: datetime) -> list[Message]:
        closed = close_due_reviews(store, now)
        return closed + (then(now) if then is not None else [])

    return sweep
