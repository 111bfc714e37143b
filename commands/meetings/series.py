"""Series and carried-forward business: the next occurrence, outstanding actions, ratification."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, joinedload, object_session

from commands.governance.visibility import may_see
from commands.language.dates import DateError, format_date, parse_interval
from commands.language.grammar import Clauses
from commands.meetings.types import meeting_types
from storage.models import Action, AgendaItem, Decision, Invitation, Meeting, Person
from storage.status import ActionStatus, MeetingStatus

OUTSTANDING = "Outstanding actions from the last meeting"
TO_RATIFY = "Decisions to be ratified"
INTERVAL_EXAMPLE = "/mdt new Complex case review case AB-1234 on 3/3/2027 at 10:00 every 4 weeks"
# Words that show an `every ...` phrase was meant as an interval, not as part of a title.
INTERVAL_HINT = re.compile(
    r"\b(\d|week|month|fortnight|day|daily|year|annual|quarter|"
    r"(other|one|two|three|four|five|six|twelve)\b)",
    re.IGNORECASE,
)
CLAUSE_WORDS = frozenset({"on", "at", "for", "type", "case", "with"})
HELD = (MeetingStatus.RUNNING, MeetingStatus.ENDED)


def interval_problem(found: Clauses) -> str | None:
    """Why an `every ...` phrase left in a title is not an interval, if it looks like one."""
    words = found.head
    for index in range(len(words) - 1, -1, -1):
        if words[index].lower() != "every":
            continue
        tail: list[str] = []
        for word in words[index + 1 :]:
            if word.lower() in CLAUSE_WORDS:
                break
            tail.append(word)
        phrase = " ".join(tail)
        if not tail or not INTERVAL_HINT.search(phrase):
            return None
        try:
            parse_interval(f"every {phrase}")
        except DateError as error:
            return error.message
        return None
    return None


def begin_series(meeting: Meeting) -> None:
    """Make a meeting that repeats the first of its series (after it has an id)."""
    if meeting.series_interval and meeting.series_id is None:
        meeting.series_id = meeting.id
        meeting.planned_start = meeting.starts_at


def related(meeting: Meeting) -> list[ColumnElement[bool]]:
    """Conditions for the meetings of the same series or about the same case."""
    conditions: list[ColumnElement[bool]] = []
    if meeting.series_id is not None:
        conditions.append(Meeting.series_id == meeting.series_id)
    if meeting.case_ref:
        conditions.append(Meeting.case_ref == meeting.case_ref)
    return conditions


def _earlier(meeting: Meeting) -> Select[Meeting] | None:
    """Meetings of the same series or case that started before this one, newest first.

    Only those its chair may see (chairs or is invited to): what a meeting carries forward from
    another chair's meetings about the same case would show their records to this one's invitees.
    """
    conditions = related(meeting)
    if not conditions:
        return None
    return (
        select(Meeting)
        .where(
            Meeting.workspace_id == meeting.workspace_id,
            Meeting.id != meeting.id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.status != MeetingStatus.CANCELLED,
            or_(*conditions),
            may_see(meeting.chair_id),
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )


def earlier_meetings(session: Session, meeting: Meeting) -> list[Meeting]:
    """Meetings of the same series or case that started before this one, newest first."""
    query = _earlier(meeting)
    return [] if query is None else list(session.scalars(query).all())


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The last meeting held before this one in its series or about its case (one row read)."""
    query = _earlier(meeting)
    if query is None:
        return None
    return session.scalars(query.where(Meeting.status.in_(HELD)).limit(1)).first()


def outstanding_actions(session: Session, meeting: Meeting) -> list[Action]:
    """Actions set at earlier meetings of the series or case that are open, or were done since
    the last meeting held, earliest due first."""
    earlier = earlier_meetings(session, meeting)
    if not earlier:
        return []
    previous = next((m for m in earlier if m.status in HELD), None)
    since = (previous.closed_at or previous.starts_at) if previous else None
    found = session.scalars(
        select(Action)
        .where(Action.meeting_id.in_([m.id for m in earlier]))
        .options(joinedload(Action.owner), joinedload(Action.meeting))
        .order_by(Action.due, Action.number)
    ).all()
    return [
        a
        for a in found
        if a.status == ActionStatus.OPEN
        or (since is not None and a.completed_at is not None and a.completed_at >= since)
    ]


def decisions_to_ratify(session: Session, meeting: Meeting) -> list[Decision]:
    """Decisions of earlier meetings of the case or series made while not quorate and not yet
    ratified (or declined): they stay on every next agenda until then."""
    conditions = related(meeting)
    if not conditions:
        return []
    return list(
        session.scalars(
            select(Decision)
            .join(Meeting, Decision.meeting_id == Meeting.id)
            .where(
                Meeting.workspace_id == meeting.workspace_id,
                Meeting.id != meeting.id,
                Meeting.starts_at < meeting.starts_at,
                Meeting.status != MeetingStatus.CANCELLED,
                or_(*conditions),
                Decision.to_ratify.is_(True),
                Decision.ratification.is_(None),
                may_see(meeting.chair_id),
            )
            .order_by(Decision.id)
        ).all()
    )


def _action_line(action: Action, today: date) -> str:
    status = (
        "overdue" if action.status == ActionStatus.OPEN and action.due < today else action.status
    )
    return (
        f"   - {action.ref} @{action.owner.display_name}: {action.description}, "
        f"due {format_date(action.due)} [{status}] (from {action.meeting.ref})"
    )


def _decision_lines(session: Session, decisions: list[Decision]) -> list[str]:
    lines = []
    for decision in decisions:
        meeting = session.get(Meeting, decision.meeting_id)
        assert meeting is not None
        ref = decision.ref if decision.number is not None else "decision"
        lines.append(f"   - {ref} ({meeting.ref}): {decision.text} (`/mdt ratify {ref}`)")
    return lines


def _carried(session: Session, meeting: Meeting, today: date) -> list[tuple[str, str]]:
    """The carried-forward agenda items as they read today: (heading, text) pairs."""
    actions = outstanding_actions(session, meeting)
    decisions = decisions_to_ratify(session, meeting)
    if not actions and not decisions and not earlier_meetings(session, meeting):
        return []
    lines = [_action_line(a, today) for a in actions] or ["   - none outstanding"]
    wanted = [
        (OUTSTANDING, "\n".join([f"{OUTSTANDING} (status on {format_date(today)}):", *lines]))
    ]
    if decisions:
        wanted.append(
            (TO_RATIFY, "\n".join([f"{TO_RATIFY}:", *_decision_lines(session, decisions)]))
        )
    return wanted


def carry_forward(session: Session, meeting: Meeting, today: date) -> None:
    """Start the agenda with the outstanding actions and the decisions left to ratify.

    Run again (at the start and at the end of the meeting) it brings the same items up to date.
    """
    wanted = _carried(session, meeting, today)
    if not wanted:
        return
    items = list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        ).all()
    )
    position = 0
    for heading, text in wanted:
        existing = next((i for i in items if i.text.startswith(heading)), None)
        if existing is not None:
            existing.text = text
            position = existing.position
            continue
        position += 1
        for item in items:
            if item.position >= position:
                item.position += 1
        added = AgendaItem(meeting_id=meeting.id, position=position, text=text)
        session.add(added)
        items.append(added)
    session.flush()
    session.expire(meeting, ["agenda"])


def agenda_texts(meeting: Meeting, today: date) -> list[str]:
    """The agenda as it reads today: until the meeting ends, carried-forward business is live.

    Once it has ended, the agenda is what it was at the end (refreshed then by `carry_forward`).
    """
    texts = [item.text for item in meeting.agenda]
    session = object_session(meeting)
    if (
        session is None
        or meeting.closed_at is not None
        or meeting.status == MeetingStatus.CANCELLED
    ):
        return texts
    if not any(t.startswith((OUTSTANDING, TO_RATIFY)) for t in texts):
        return texts
    fresh = _carried(session, meeting, today)
    return [next((new for head, new in fresh if old.startswith(head)), old) for old in texts]


@dataclass(frozen=True)
class NextOccurrence:
    """When the next meeting of a series starts."""

    starts_at: datetime
    planned: datetime


def next_start(meeting: Meeting, now: datetime) -> NextOccurrence | None:
    """The interval after the occurrence's planned start, at the same wall time, in the future."""
    if not meeting.series_interval:
        return None
    try:
        interval = parse_interval(meeting.series_interval)
    except DateError:
        return None
    zone = ZoneInfo(meeting.timezone)
    anchor = (meeting.planned_start or meeting.starts_at).astimezone(zone)
    day = interval.after(anchor.date())
    while True:
        wall = datetime.combine(day, anchor.time().replace(tzinfo=None), tzinfo=zone)
        start = wall.astimezone(UTC)
        if start > now:
            return NextOccurrence(start, start)
        day = interval.after(day)


def schedule_next(
    session: Session, meeting: Meeting, upcoming: NextOccurrence, number: int, now: datetime
) -> tuple[Meeting, list[Person]]:
    """Save the series' next occurrence: same invitees, type, case, chair, channel and length.

    Returns it with the people to tell (everyone invited but the chair).
    """
    length = meeting.ends_at - meeting.starts_at
    following = Meeting(
        workspace_id=meeting.workspace_id,
        number=number,
        title=meeting.title,
        case_ref=meeting.case_ref,
        meeting_type=meeting.meeting_type,
        chair_id=meeting.chair_id,
        starts_at=upcoming.starts_at,
        ends_at=upcoming.starts_at + length,
        timezone=meeting.timezone,
        status=MeetingStatus.SCHEDULED,
        channel=meeting.channel,
        series_interval=meeting.series_interval,
        series_id=meeting.series_id or meeting.id,
        venue=meeting.venue,
        planned_start=upcoming.planned,
        sequence=0,
        created_at=now,
    )
    session.add(following)
    session.flush()
    invitees: list[Person] = []
    for invitation in meeting.invitations:
        if invitation.deputy_for_id is not None and invitation.role != "chair":
            continue
        chair = invitation.person_id == meeting.chair_id
        session.add(
            Invitation(
                meeting_id=following.id,
                person_id=invitation.person_id,
                role="chair" if chair else invitation.role,
                rsvp="attending" if chair else "invited",
            )
        )
        if not chair:
            invitees.append(invitation.person)
    kind = meeting_types().get(meeting.meeting_type or "")
    for position, item in enumerate(kind.agenda if kind else (), 1):
        session.add(AgendaItem(meeting_id=following.id, position=position, text=item))
    session.flush()
    return following, invitees
