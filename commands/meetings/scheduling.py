"""Putting a meeting in the diary: `schedule_meeting`, its number, invite and announcement.

`schedule_meeting(ctx, NewMeeting)` is what every way of scheduling calls: `/mdt new`, the
Slack form and the Teams card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from commands.context import Context
from commands.documents.views import meeting_view
from commands.governance.policy import CASE_EXAMPLE
from commands.language.dates import Interval, parse_when
from commands.language.grammar import MAX_TITLE, nearest
from commands.meetings.calendar_invite import ics_for
from commands.meetings.series import begin_series, carry_forward, next_start, schedule_next
from commands.meetings.types import MeetingType, meeting_types
from commands.messages import Attachment
from commands.people.naming import meeting_buttons, unique_people
from storage.models import AgendaItem, Invitation, Meeting, Person
from storage.numbering import next_number
from storage.queries import load_meeting_in_full

DEFAULT_LENGTH = timedelta(hours=1)
NEW_EXAMPLE = (
    "/mdt new Strategy discussion case AB-1234 on next tuesday at 10:00 type strategy with @sam"
)


@dataclass(frozen=True)
class NewMeeting:
    """A meeting to schedule, as the text command or a form gives it (unchecked)."""

    title: str
    day: date | None
    start: time | None
    length: timedelta | None = None
    kind: str | None = None
    case: str | None = None
    every: Interval | None = None
    venue: str | None = None  # where it is held: a room, an address or a dial-in
    invitees: tuple[Person, ...] = ()
    problem: str | None = None  # why a date or time given could not be read
    again: bool = False  # book it even when the same meeting is already booked


def _check_case(ctx: Context, kind: MeetingType | None, ref: str | None) -> None:
    """A meeting about a person names them by a case reference of the workspace's pattern."""
    if ref is not None and not ctx.governance.case_ref_ok(ref):
        ctx.fail("bad_case_ref", ref=ref, sample=CASE_EXAMPLE, example=NEW_EXAMPLE)
    if ref is None and kind is not None and kind.about_person:
        ctx.fail("case_needed", type=kind.name, example=NEW_EXAMPLE)


def _meeting_type(ctx: Context, name: str | None) -> MeetingType | None:
    if name is None:
        return None
    kind = meeting_types().get(name)
    if kind is None:
        ctx.fail(
            "unknown_type",
            name=name,
            guess=nearest(name, meeting_types()),
            types=sorted(meeting_types()),
        )
    return kind


def _refuse_duplicate(ctx: Context, title: str, case: str | None, starts_at: datetime) -> None:
    """The same case (or, without one, the same title) already booked at the same time."""
    query = select(Meeting).where(
        Meeting.workspace_id == ctx.workspace.id,
        Meeting.starts_at == starts_at,
        Meeting.status.in_(("scheduled", "running")),
    )
    for meeting in ctx.session.scalars(query):
        same = meeting.case_ref == case if case else meeting.title.lower() == title.lower()
        if same:
            ctx.fail(
                "duplicate_meeting",
                meeting=meeting_view(meeting, ctx.today),
                again=f"/mdt new {ctx.request.text.split(maxsplit=1)[-1]} again",
            )


def schedule_meeting(ctx: Context, new: NewMeeting) -> Meeting:
    """Check a new meeting, put it in the diary with the caller as chair, and invite people."""
    title = new.title
    if not title:
        ctx.fail("new_needs_title", example=NEW_EXAMPLE)
    if len(title) > MAX_TITLE:
        ctx.fail("too_long", what="the title", limit=MAX_TITLE, length=len(title))
    if new.day is None:
        ctx.fail("new_needs_date", problem=new.problem, example=NEW_EXAMPLE)
    if new.start is None:
        ctx.fail("new_needs_time", problem=new.problem, example=NEW_EXAMPLE)
    kind = _meeting_type(ctx, new.kind)
    _check_case(ctx, kind, new.case)
    zone = ctx.zone
    starts_at = parse_when(
        f"{new.day.isoformat()} {new.start.strftime('%H:%M')}", ctx.now, zone, ctx.calendar
    )
    if starts_at <= ctx.now:
        ctx.fail("in_the_past", when=starts_at, example=NEW_EXAMPLE)
    length = new.length or (kind.default_length if kind else DEFAULT_LENGTH)
    if not new.again:
        _refuse_duplicate(ctx, title, new.case, starts_at.astimezone(UTC))
    meeting = Meeting(
        workspace_id=ctx.workspace.id,
        number=allocate_meeting_number(ctx),
        title=title,
        case_ref=new.case,
        meeting_type=kind.name if kind else None,
        chair_id=ctx.caller.id,
        starts_at=starts_at.astimezone(UTC),
        ends_at=(starts_at + length).astimezone(UTC),
        timezone=str(zone),
        status="scheduled",
        channel=ctx.request.channel,
        series_interval=new.every.describe() if new.every else None,
        venue=new.venue,
        sequence=0,
        created_at=ctx.now,
    )
    ctx.session.add(meeting)
    ctx.session.flush()
    ctx.session.add(
        Invitation(meeting_id=meeting.id, person_id=ctx.caller.id, role="chair", rsvp="attending")
    )
    for position, item in enumerate(kind.agenda if kind else (), 1):
        ctx.session.add(AgendaItem(meeting_id=meeting.id, position=position, text=item))
    invitees = unique_people([p for p in new.invitees if p.id != ctx.caller.id])
    for person in invitees:
        ctx.session.add(Invitation(meeting_id=meeting.id, person_id=person.id))
    ctx.session.flush()
    begin_series(meeting)
    carry_forward(ctx.session, meeting, ctx.today)
    announce_meeting(ctx, meeting, invitees)
    return meeting


def allocate_meeting_number(ctx: Context) -> int:
    """The next M<n> of the workspace, taken atomically (see storage.numbering)."""
    return next_number(ctx.session, ctx.workspace.id, "meeting")


def invite_file(ctx: Context, meeting: Meeting) -> Attachment:
    """The calendar invite attached to a meeting's announcements, issued now."""
    ics = ics_for(meeting, domain=ctx.invite_domain, issued=ctx.now)
    return Attachment(f"{meeting.ref}.ics", ics, "text/calendar")


def announce_meeting(ctx: Context, meeting: Meeting, invitees: list[Person]) -> None:
    """Post the meeting card with its invite in the meeting's channel and invite each person."""
    full = load_meeting_in_full(ctx.session, meeting.id)
    view = meeting_view(full, ctx.today, full=True)
    ctx.post(
        "meeting:created",
        channel=meeting.channel,
        kind="meeting_card",
        buttons=meeting_buttons(meeting.ref),
        attachments=(invite_file(ctx, full),),
        meeting=view,
        meta={"meeting": meeting.ref},
    )
    for person in invitees:
        ctx.dm(
            person,
            "meeting:invited",
            kind="invitation",
            buttons=meeting_buttons(meeting.ref),
            meeting=view,
        )


def schedule_next_occurrence(ctx: Context, meeting: Meeting) -> None:
    """Schedule a series' next occurrence and tell its invitees, as for a new meeting."""
    upcoming = next_start(meeting, ctx.now)
    if upcoming is None:
        return
    number = allocate_meeting_number(ctx)
    following, invitees = schedule_next(ctx.session, meeting, upcoming, number, ctx.now)
    carry_forward(ctx.session, following, ctx.today)
    announce_meeting(ctx, following, invitees)


def tell_invitees(ctx: Context, meeting: Meeting, template: str, **context: Any) -> None:
    """Post a change to a meeting with its updated invite, and tell each other invitee."""
    ctx.session.flush()
    view = meeting_view(meeting, ctx.today)
    attachment = invite_file(ctx, meeting)
    ctx.post(
        template,
        channel=meeting.channel,
        attachments=(attachment,),
        meta={"meeting": meeting.ref},
        meeting=view,
        **context,
    )
    for invitation in meeting.invitations:
        if invitation.person_id != ctx.caller.id:
            ctx.dm(invitation.person, template, meeting=view, **context)
