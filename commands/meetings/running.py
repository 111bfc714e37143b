"""Running a meeting: start, end and the minutes."""

from __future__ import annotations

from commands.context import Context
from commands.documents.views import meeting_view
from commands.email.minutes import email_minutes
from commands.meetings.quorum import missing_sectors
from commands.meetings.series import carry_forward
from commands.messages import Attachment
from commands.registry import command
from commands.reviews.review import meeting_ended
from storage.queries import load_meeting_in_full

FORMATS = {"txt": "text/plain", "md": "text/markdown", "html": "text/html"}


@command(
    "start",
    usage="/mdt start M3",
    summary="open the meeting here; lines starting decision:/action:/agenda:/note: are recorded",
    example="/mdt start M3",
    who="chair",
    aliases=("open", "begin"),
)
def start(ctx: Context, args: str) -> None:
    """Open a meeting in this channel and warn when it is not quorate."""
    meeting = ctx.meeting(args.strip())
    ctx.require_chair(meeting, "start it")
    if meeting.status == "running":
        ctx.fail("already_started", meeting=meeting.ref, at=meeting.started_at)
    if meeting.status != "scheduled":
        ctx.fail("cannot_start", meeting=meeting.ref, status=meeting.status)
    for invitation in meeting.invitations:
        invitation.attended = invitation.rsvp == "attending"
    missing = missing_sectors(meeting)
    meeting.status = "running"
    meeting.channel = ctx.request.channel
    meeting.started_at = ctx.now
    meeting.quorate = not missing
    ctx.session.flush()
    carry_forward(ctx.session, meeting, ctx.today)
    full = load_meeting_in_full(ctx.session, meeting.id)
    ctx.post(
        "meeting:started",
        kind="meeting_started",
        meeting=meeting_view(full, ctx.today, full=True),
        missing=missing,
        meta={"thread_root_for": meeting.ref},
    )


@command(
    "end",
    usage="/mdt end [M3]",
    summary="close the meeting and post the minutes",
    example="/mdt end M3",
    who="chair",
    aliases=("close", "finish"),
)
def end(ctx: Context, args: str) -> None:
    """Close a running meeting and post its minutes to the channel."""
    meeting, rest = ctx.meeting_or_running(args, "/mdt end M3")
    if rest:
        ctx.fail("usage", usage="/mdt end [M3]", example="/mdt end M3")
    ctx.require_chair(meeting, "end it")
    if meeting.status == "ended":
        ctx.fail("already_ended", meeting=meeting.ref, at=meeting.closed_at)
    if meeting.status != "running":
        ctx.fail("not_running", meeting=meeting.ref, status=meeting.status)
    meeting.status = "ended"
    meeting.closed_at = ctx.now
    ctx.session.flush()
    full = load_meeting_in_full(ctx.session, meeting.id)
    ctx.post(
        "minutes.txt.j2",
        channel=meeting.channel,
        kind="minutes",
        meeting=meeting_view(full, ctx.today, full=True),
    )
    email_minutes(ctx, full)
    meeting_ended(ctx, full)


@command(
    "minutes",
    usage="/mdt minutes M3 [md|html|txt]",
    summary="the minutes again, in a format",
    example="/mdt minutes M3 html",
    who="invitees",
    reads=("{meeting}", "{meeting} md", "{meeting} html"),
)
def minutes(ctx: Context, args: str) -> None:
    """Send the minutes of a meeting to the caller in a format."""
    parts = args.split()
    if not parts or len(parts) > 2:
        ctx.fail("usage", usage="/mdt minutes M3 [md|html|txt]", example="/mdt minutes M3 html")
    meeting = ctx.meeting(parts[0])
    ctx.require_invitee(meeting, "read its minutes")
    fmt = parts[1].lower() if len(parts) == 2 else "txt"
    if fmt not in FORMATS:
        ctx.fail("bad_choice", given=fmt, choices=list(FORMATS), example="/mdt minutes M3 html")
    from commands.documents.render import render_document  # noqa: PLC0415

    full = load_meeting_in_full(ctx.session, meeting.id)
    view = meeting_view(full, ctx.today, full=True)
    document = render_document(f"minutes.{fmt}.j2", meeting=view, zone=ctx.zone)
    attachment = Attachment(f"{meeting.ref}-minutes.{fmt}", document.encode(), FORMATS[fmt])
    template = "minutes.txt.j2" if fmt == "txt" else "meeting:minutes_file"
    ctx.reply(template, attachments=(attachment,), kind="minutes", meeting=view, fmt=fmt)
