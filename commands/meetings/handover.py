"""`/mdt handover M3 to @x`: the chair hands the meeting to someone else, who is told."""

from __future__ import annotations

from commands.context import Context
from commands.documents.views import meeting_view
from commands.language.grammar import clean_text, first_word, split_word
from commands.people.naming import meeting_buttons, require_open, split_mentions
from commands.registry import command
from storage.models import Invitation, Person

HANDOVER_EXAMPLE = "/mdt handover M3 to @sam"


@command(
    "handover",
    usage="/mdt handover M3 to @x",
    summary="hand the chair of a meeting to someone else; you may then send apologies",
    example=HANDOVER_EXAMPLE,
    who="chair",
    aliases=("hand-over",),
)
def handover(ctx: Context, args: str) -> None:
    """Make another person the chair of a meeting; the old chair stays invited."""
    ref, rest = first_word(clean_text(args))
    if not ref:
        ctx.fail("usage", usage="/mdt handover M3 to @x", example=HANDOVER_EXAMPLE)
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "hand it over")
    require_open(ctx, meeting)
    leading, target = split_word(rest, "to")
    people, extra = split_mentions(ctx, target or "")
    if leading or len(people) != 1 or extra:
        ctx.fail(
            "usage",
            usage="/mdt handover M3 to @x",
            example=HANDOVER_EXAMPLE.replace("M3", meeting.ref),
        )
    new_chair: Person = people[0]
    if new_chair.id == meeting.chair_id:
        ctx.fail("already_chair", meeting=meeting.ref)
    old_chair = meeting.chair
    old = ctx.invitation(meeting, old_chair)
    if old is not None:
        old.role = "attendee"
    new = ctx.invitation(meeting, new_chair)
    if new is None:
        new = Invitation(meeting_id=meeting.id, person_id=new_chair.id)
        ctx.session.add(new)
        meeting.invitations.append(new)
    new.role = "chair"
    new.rsvp = "attending"
    new.apology_reason = None
    meeting.chair_id = new_chair.id
    ctx.session.flush()
    ctx.session.refresh(meeting)
    view = meeting_view(meeting, ctx.today)
    ctx.post(
        "meeting:handed_over",
        channel=meeting.channel,
        meeting=view,
        old_chair=old_chair.display_name,
    )
    ctx.dm(
        new_chair,
        "meeting:now_chair",
        kind="invitation",
        buttons=meeting_buttons(meeting.ref),
        meeting=view,
        old_chair=old_chair.display_name,
    )
