"""The minutes' life after `/mdt end`: draft, corrections, approval and lock, then addenda."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commands.context import Context
from commands.documents.views import meeting_view
from commands.language.grammar import clean_text, first_word
from commands.messages import Button
from commands.record.minutes import Minutes, minutes_for, window_closes
from commands.registry import command
from storage.models import Addendum, Correction, Meeting, Person
from storage.status import MeetingStatus

CORRECT_USAGE = (
    "/mdt correct M3 <what is wrong and what it should say> | /mdt correct M3 accept <n> | "
    "/mdt correct M3 decline <n> <reason>"
)
CORRECT_EXAMPLE = "/mdt correct M3 A2 was given to the district nurse, not the GP"
ADDENDUM_EXAMPLE = "/mdt addendum M3 The GP confirmed on 12 Feb that the review took place"


def approve_buttons(meeting: Meeting) -> tuple[Button, ...]:
    """The chair's Approve button for draft minutes (pressed by anyone else, it is refused)."""
    return (Button("Approve", "approve", meeting.ref, style="primary"),)


def waiting_corrections(session: Session, meeting: Meeting) -> list[int]:
    """The numbers of the corrections the chair has not answered yet."""
    return list(
        session.scalars(
            select(Correction.number)
            .where(Correction.meeting_id == meeting.id, Correction.status == "proposed")
            .order_by(Correction.number)
        )
    )


def next_in_series(ctx: Context, meeting: Meeting) -> Meeting | None:
    """The next meeting of the same series, if one is scheduled."""
    if meeting.series_id is None:
        return None
    return ctx.session.scalar(
        select(Meeting)
        .where(
            Meeting.series_id == meeting.series_id,
            Meeting.id != meeting.id,
            Meeting.starts_at > meeting.starts_at,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.created_at <= ctx.now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def current_minutes(ctx: Context, meeting: Meeting) -> Minutes:
    """The minutes of a meeting as they stand now."""
    return minutes_for(
        ctx.session,
        meeting,
        ctx.now,
        marking=ctx.workspace.marking,
        calendar=ctx.calendar,
        next_meeting=next_in_series(ctx, meeting),
    )


def _draft(ctx: Context, meeting: Meeting) -> None:
    ctx.require_unlocked(meeting, "correct its minutes")
    if meeting.minutes_status != "draft":
        ctx.fail("no_draft", meeting=meeting.ref, status=meeting.status)


@command(
    "correct",
    usage=CORRECT_USAGE,
    summary="propose a correction to draft minutes; the chair accepts or declines it",
    example=CORRECT_EXAMPLE,
    who="attendees propose, chair accepts or declines",
    aliases=("correction",),
)
def correct(ctx: Context, args: str) -> None:
    """Propose a correction (invitees) or answer one (chair)."""
    ref, rest = first_word(clean_text(args))
    if not ref:
        ctx.fail("usage", usage=CORRECT_USAGE, example=CORRECT_EXAMPLE)
    meeting = ctx.meeting(ref)
    word, tail = first_word(rest)
    if word.lower() in {"accept", "decline"}:
        answer_correction(ctx, meeting, word.lower(), *first_word(tail))
        return
    ctx.require_invitee(meeting, "correct its minutes")
    _draft(ctx, meeting)
    if not rest:
        ctx.fail("correction_needs_text", meeting=meeting.ref, example=CORRECT_EXAMPLE)
    closes = window_closes(meeting, ctx.calendar)
    if closes is not None and ctx.today > closes and not ctx.is_chair(meeting):
        ctx.fail(
            "window_closed", meeting=meeting.ref, closed=closes, chair=meeting.chair.display_name
        )
    number = 1 + (
        ctx.session.scalar(
            select(func.max(Correction.number)).where(Correction.meeting_id == meeting.id)
        )
        or 0
    )
    ctx.session.add(
        Correction(
            meeting_id=meeting.id,
            number=number,
            author_id=ctx.caller.id,
            text=rest,
            status="proposed",
            created_at=ctx.now,
        )
    )
    ctx.session.flush()
    view = meeting_view(meeting, ctx.today)
    ctx.reply("lifecycle:proposed", meeting=view, number=number, chair=meeting.chair.display_name)
    ctx.dm(
        meeting.chair,
        "lifecycle:proposal",
        kind="correction_request",
        buttons=(
            Button("Accept", "correct", meeting.ref, f"accept {number}", "primary"),
            Button("Decline", "correct", meeting.ref, f"decline {number}"),
        ),
        meeting=view,
        number=number,
        text=rest,
        by=ctx.caller.display_name,
    )


def answer_correction(
    ctx: Context, meeting: Meeting, verb: str, number_text: str, reason: str = ""
) -> None:
    """The chair accepts (`verb` "accept") or declines, with a reason, a proposed correction."""
    ctx.require_invitee(meeting, "correct its minutes")
    _draft(ctx, meeting)
    ctx.require_chair(meeting, f"{verb} corrections")
    example = (
        f"/mdt correct {meeting.ref} accept 2"
        if verb == "accept"
        else f"/mdt correct {meeting.ref} decline 2 the minutes already say this"
    )
    if not number_text.isdigit():
        ctx.fail("usage", usage=CORRECT_USAGE, example=example)
    row = ctx.session.scalar(
        select(Correction).where(
            Correction.meeting_id == meeting.id, Correction.number == int(number_text)
        )
    )
    if row is None:
        ctx.fail("unknown_correction", meeting=meeting.ref, number=int(number_text))
    if row.status != "proposed":
        ctx.fail("correction_answered", meeting=meeting.ref, number=row.number, status=row.status)
    if verb == "decline" and not reason:
        ctx.fail("decline_needs_reason", example=example)
    row.status = "accepted" if verb == "accept" else "declined"
    row.decided_at = ctx.now
    row.decided_by_id = ctx.caller.id
    row.reason = reason or None
    if verb == "accept":
        meeting.minutes_version += 1
    ctx.session.flush()
    view = meeting_view(meeting, ctx.today)
    context: dict[str, Any] = {
        "meeting": view,
        "number": row.number,
        "text": row.text,
        "reason": reason,
    }
    ready = not waiting_corrections(ctx.session, meeting)
    ctx.reply(
        f"lifecycle:{row.status}",
        kind="approval_request" if ready else "text",
        buttons=approve_buttons(meeting) if ready else (),
        version=meeting.minutes_version,
        **context,
    )
    if row.author_id != ctx.caller.id:
        ctx.dm(row.author, f"lifecycle:{row.status}_to_author", **context)


@command(
    "approve",
    usage="/mdt approve M3",
    summary="approve the draft minutes: they become the locked record",
    example="/mdt approve M3",
    who="chair",
)
def approve(ctx: Context, args: str) -> None:
    """Approve a meeting's draft minutes, locking its record."""
    ref = args.strip()
    if not ref or len(ref.split()) != 1:
        ctx.fail("usage", usage="/mdt approve M3", example="/mdt approve M3")
    approve_minutes(ctx, ctx.meeting(ref))


def approve_minutes(ctx: Context, meeting: Meeting) -> None:
    """The chair approves the draft minutes: a new version, approved, and the record locked."""
    ctx.require_chair(meeting, "approve its minutes")
    if meeting.locked:
        by = ctx.session.get(Person, meeting.approved_by_id) if meeting.approved_by_id else None
        ctx.fail(
            "already_approved",
            meeting=meeting.ref,
            at=meeting.approved_at,
            by=by.display_name if by else None,
            version=meeting.minutes_version,
        )
    if meeting.minutes_status != "draft":
        ctx.fail("no_draft", meeting=meeting.ref, status=meeting.status)
    waiting = waiting_corrections(ctx.session, meeting)
    if waiting:
        ctx.fail("corrections_waiting", meeting=meeting.ref, numbers=waiting)
    meeting.minutes_status = "approved"
    meeting.minutes_version += 1
    meeting.approved_at = ctx.now
    meeting.approved_by_id = ctx.caller.id
    ctx.session.flush()
    ctx.post(
        "lifecycle:approved",
        channel=meeting.channel,
        meeting=meeting_view(meeting, ctx.today),
        version=meeting.minutes_version,
        by=ctx.caller.display_name,
    )


@command(
    "addendum",
    usage="/mdt addendum M3 <text>",
    summary="add a dated, signed addendum below approved minutes",
    example=ADDENDUM_EXAMPLE,
    who="chair",
)
def addendum(ctx: Context, args: str) -> None:
    """Add an addendum to approved minutes: the only change a locked record takes."""
    ref, text = first_word(clean_text(args))
    if not ref:
        ctx.fail("usage", usage="/mdt addendum M3 <text>", example=ADDENDUM_EXAMPLE)
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "add an addendum")
    if not meeting.locked:
        ctx.fail("not_locked", meeting=meeting.ref)
    if not text:
        ctx.fail("usage", usage="/mdt addendum M3 <text>", example=ADDENDUM_EXAMPLE)
    ctx.session.add(
        Addendum(meeting_id=meeting.id, author_id=ctx.caller.id, text=text, created_at=ctx.now)
    )
    ctx.session.flush()
    ctx.post(
        "lifecycle:addendum",
        channel=meeting.channel,
        meeting=meeting_view(meeting, ctx.today),
        text=text,
        by=ctx.caller.display_name,
    )
