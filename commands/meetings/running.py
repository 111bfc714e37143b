"""Running a meeting: start, end and the minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.documents.views import meeting_view
from commands.email.minutes import email_minutes
from commands.meetings.quorum import missing_sectors
from commands.meetings.series import carry_forward
from commands.messages import Attachment
from commands.record.lifecycle import approve_buttons, current_minutes, waiting_corrections
from commands.record.minutes import take_snapshot
from commands.registry import command
from commands.reviews.review import meeting_ended
from storage.models import Meeting
from storage.queries import load_meeting_in_full

FORMATS = {"txt": "text/plain", "md": "text/markdown", "html": "text/html"}


EARLY = timedelta(hours=1)


def _moved_to_now(ctx: Context, meeting: Meeting, confirmed: bool) -> datetime | None:
    """Starting on another day or over an hour early needs `now`, and moves the meeting."""
    zone = ZoneInfo(meeting.timezone)
    other_day = meeting.starts_at.astimezone(zone).date() != ctx.now.astimezone(zone).date()
    early = ctx.now < meeting.starts_at - EARLY
    if not (other_day or early):
        return None
    if not confirmed:
        ctx.fail(
            "start_not_booked_time",
            meeting=meeting.ref,
            booked=meeting.starts_at,
            other_day=other_day,
        )
    booked = meeting.starts_at
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = ctx.now
    meeting.ends_at = ctx.now + length
    meeting.sequence += 1
    return booked


@command(
    "start",
    usage="/mdt start M3 [now]",
    summary=(
        "open the meeting here; lines starting decision:/action:/agenda:/note: are recorded;"
        " on another day or over an hour early add `now` (the meeting moves to now)"
    ),
    example="/mdt start M3",
    who="chair",
    aliases=("open", "begin"),
)
def start(ctx: Context, args: str) -> None:
    """Open a meeting in this channel and warn when it is not quorate."""
    ref, _, extra = args.strip().partition(" ")
    if extra.strip() and extra.strip().lower() != "now":
        ctx.fail("usage", usage="/mdt start M3 [now]", example="/mdt start M3 now")
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "start it")
    ctx.require_unlocked(meeting, "start it")
    if meeting.status == "running":
        ctx.fail("already_started", meeting=meeting.ref, at=meeting.started_at)
    if meeting.status != "scheduled":
        ctx.fail("cannot_start", meeting=meeting.ref, status=meeting.status)
    booked = _moved_to_now(ctx, meeting, extra.strip().lower() == "now")
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
        booked=booked,
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
    ctx.require_unlocked(meeting, "end it")
    if meeting.status == "ended":
        ctx.fail("already_ended", meeting=meeting.ref, at=meeting.closed_at)
    if meeting.status != "running":
        ctx.fail("not_running", meeting=meeting.ref, status=meeting.status)
    carry_forward(ctx.session, meeting, ctx.today)  # the carried business as at the end
    meeting.status = "ended"
    meeting.closed_at = ctx.now
    meeting.minutes_status = "draft"
    meeting.minutes_version = 1
    ctx.session.flush()
    take_snapshot(ctx.session, meeting, ctx.today)
    ctx.session.flush()
    full = load_meeting_in_full(ctx.session, meeting.id)
    first = len(ctx.messages)
    meeting_ended(ctx, full)  # schedules a series' next meeting, which the minutes name
    review = ctx.messages[first:]
    del ctx.messages[first:]
    record = current_minutes(ctx, full)
    ctx.post("minutes.txt.j2", channel=meeting.channel, kind="minutes", minutes=record)
    email_minutes(ctx, full, record)
    ctx.messages.extend(review)


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

    record = current_minutes(ctx, meeting)
    document = render_document(f"minutes.{fmt}.j2", minutes=record, zone=ctx.zone)
    attachment = Attachment(f"{meeting.ref}-minutes.{fmt}", document.encode(), FORMATS[fmt])
    template = "minutes.txt.j2" if fmt == "txt" else "meeting:minutes_file"
    # The chair shown a draft nobody's correction waits on may approve it there and then.
    ready = (
        record.is_draft
        and ctx.is_chair(meeting)
        and not meeting.locked
        and not waiting_corrections(ctx.session, meeting)
    )
    ctx.reply(
        template,
        buttons=approve_buttons(meeting) if ready else (),
        attachments=(attachment,),
        kind="minutes",
        minutes=record,
        meeting=record.meeting,
        fmt=fmt,
    )
