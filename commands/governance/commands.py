"""The governance commands in chat: `/mdt audit` (a meeting's trail, for its chair)."""

from __future__ import annotations

from sqlalchemy import select

from commands.context import Context
from commands.governance.trail import TrailError, decision_refs, resolve, trail
from commands.registry import command
from storage.models import Decision, Meeting

AUDIT_USAGE = "/mdt audit M3"


def _meeting_of(ctx: Context, ref: str) -> Meeting:
    """The meeting a ref belongs to (an action's or a decision's own meeting)."""
    kind, number = ref[0], int(ref[1:])
    if kind == "M":
        return ctx.meeting(ref)
    if kind == "A":
        return ctx.action(ref).meeting
    number_column = getattr(Decision, "number")  # noqa: B009 - present once decisions are numbered
    meeting = ctx.session.scalar(
        select(Meeting)
        .join(Decision, Decision.meeting_id == Meeting.id)
        .where(Meeting.workspace_id == ctx.workspace.id, number_column == number)
    )
    assert meeting is not None  # resolve() found the decision
    return meeting


@command(
    "audit",
    usage="/mdt audit M3|A17" + ("|D4" if decision_refs() else ""),
    summary="who did what, and when, to a meeting's records (its chair)",
    example=AUDIT_USAGE,
    who="chair",
    aliases=("trail",),
    reads=("{meeting}", "{action}", "{decision}"),
)
def audit(ctx: Context, args: str) -> None:
    """List a meeting's (or one action's or decision's) audit rows, oldest first."""
    words = args.split()
    if len(words) != 1:
        ctx.fail("usage", usage=AUDIT_USAGE, example=AUDIT_USAGE)
    try:
        ref, records = resolve(ctx.session, ctx.workspace.id, words[0])
    except TrailError as error:
        if error.reason == "bad_ref":
            ctx.fail("audit_bad_ref", token=error.ref, example=AUDIT_USAGE)
        ctx.fail("audit_unknown", ref=error.ref)
    meeting = _meeting_of(ctx, ref)
    ctx.require_chair(meeting, "see its audit trail")
    ctx.reply("governance:trail", ref=ref, lines=trail(ctx.session, records))
