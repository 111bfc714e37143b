"""Putting a meeting in the diary: its number, its calendar invite and its announcement."""

from __future__ import annotations

from commands.context import Context
from commands.documents.views import meeting_view
from commands.meetings.calendar_invite import ics_for
from commands.meetings.series import carry_forward, next_start, schedule_next
from commands.messages import Attachment
from commands.people.naming import meeting_buttons
from storage.models import Meeting, Person
from storage.numbering import next_number
from storage.queries import load_meeting_in_full


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
