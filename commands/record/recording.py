"""Recording at a meeting: decisions with their rationale, and notes for the minutes."""

from __future__ import annotations

from commands.context import Context
from commands.documents.views import meeting_view
from commands.language.grammar import clean_text, split_word
from commands.registry import command
from storage.models import Decision, Meeting, Note
from storage.numbering import next_number
from storage.status import MeetingStatus

DECISION_USAGE = "/mdt decision M3 <text>"
DECISION_EXAMPLE = "/mdt decision M3 Discharge on 11 Feb because adaptations are fitted by 10 Feb"


def recordable(ctx: Context, meeting: Meeting, doing: str) -> None:
    """Only the chair or a minute-taker records, and only once the meeting has started."""
    ctx.require_recorder(meeting, doing)
    ctx.require_unlocked(meeting, doing)
    if meeting.status not in {MeetingStatus.RUNNING, MeetingStatus.ENDED}:
        ctx.fail("not_started", meeting=meeting.ref, status=meeting.status)


def source(ctx: Context) -> dict[str, str | None]:
    """Where a captured line came from, so each message is recorded at most once."""
    if ctx.captured and ctx.request.message_id:
        return {"source_channel": ctx.request.channel, "source_message_id": ctx.request.message_id}
    return {"source_channel": None, "source_message_id": None}


@command(
    "decision",
    usage="/mdt decision [M3] <text> [because <rationale>]",
    summary="record a decision, with its rationale",
    example=DECISION_EXAMPLE,
    who="chair, minute-taker",
    aliases=("decide", "agreed"),
)
def decision(ctx: Context, args: str) -> None:
    """Record a decision at a meeting."""
    meeting, rest = ctx.meeting_or_running(clean_text(args), DECISION_USAGE)
    decision_line(ctx, meeting, rest)


def decision_line(ctx: Context, meeting: Meeting, rest: str) -> Decision:
    """Read `<text> [because <rationale>]` and record that decision at the meeting."""
    recordable(ctx, meeting, "record decisions")
    text, rationale = split_word(rest, "because")
    if not text:
        ctx.fail("decision_needs_text", example=DECISION_EXAMPLE)
    return record_decision(ctx, meeting, text, rationale or None)


def record_decision(ctx: Context, meeting: Meeting, text: str, rationale: str | None) -> Decision:
    """Record a decision at a meeting (to be ratified when it is not quorate) and post it."""
    recordable(ctx, meeting, "record decisions")
    record = Decision(
        workspace_id=ctx.workspace.id,
        number=next_number(ctx.session, ctx.workspace.id, "decision"),
        meeting_id=meeting.id,
        text=text,
        rationale=rationale,
        author_id=ctx.caller.id,
        to_ratify=meeting.quorate is False,
        created_at=ctx.now,
        **source(ctx),
    )
    ctx.session.add(record)
    ctx.session.flush()
    ctx.post(
        "record:decision",
        channel=meeting.channel,
        meeting=meeting_view(meeting, ctx.today),
        ref=record.ref,
        text=text,
        rationale=rationale,
        to_ratify=record.to_ratify,
    )
    return record


@command(
    "note",
    usage="/mdt note [M3] <text>",
    summary="add a note to the minutes",
    example="/mdt note M3 The person joined by phone for the first half",
    who="invitees",
)
def note(ctx: Context, args: str) -> None:
    """Add a note to a meeting's minutes."""
    meeting, text = ctx.meeting_or_running(clean_text(args), "/mdt note M3 <text>")
    ctx.require_invitee(meeting, "add notes")
    ctx.require_unlocked(meeting, "add notes")
    if meeting.status not in {MeetingStatus.RUNNING, MeetingStatus.ENDED}:
        ctx.fail("not_started", meeting=meeting.ref, status=meeting.status)
    if not text:
        ctx.fail(
            "usage",
            usage="/mdt note [M3] <text>",
            example="/mdt note M3 The person joined by phone",
        )
    ctx.session.add(
        Note(
            meeting_id=meeting.id,
            text=text,
            author_id=ctx.caller.id,
            created_at=ctx.now,
            **source(ctx),
        )
    )
    ctx.confirm("record:note", meeting=meeting_view(meeting, ctx.today), text=text)
