"""Each email-only attendee's part of the minutes: the minutes, and their own actions."""

from __future__ import annotations

from commands.context import Context
from commands.documents.render import render_document
from commands.documents.views import action_view, meeting_view
from commands.messages import Attachment
from commands.record.minutes import Minutes
from storage.models import Meeting, Person


def email_minutes(ctx: Context, meeting: Meeting, record: Minutes) -> None:
    """Send the minutes to every email-only invitee and action owner of the meeting (in full)."""
    people: dict[int, Person] = {}
    for invitation in meeting.invitations:
        people.setdefault(invitation.person_id, invitation.person)
    for action in meeting.actions:
        people.setdefault(action.owner_id, action.owner)
    for person in people.values():
        if not person.email_only:
            continue
        mine = [action_view(a, ctx.today) for a in meeting.actions if a.owner_id == person.id]
        zone = ctx.zone_of(person)
        html = render_document("minutes.html.j2", minutes=record, zone=zone)
        text = render_document("minutes.txt.j2", minutes=record, zone=zone)
        ctx.dm(
            person,
            "links:minutes",
            kind="minutes",
            attachments=(Attachment(f"{meeting.ref}-minutes.html", html.encode(), "text/html"),),
            meeting=meeting_view(meeting, ctx.today),
            mine=mine,
            minutes=text,
        )
