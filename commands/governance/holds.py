"""Legal hold in chat: `/mdt hold case AB-1234 <reason>` stops erasure until it is released.

Who may: the chair of any meeting of the case, or a safeguarding lead (a person whose role says
so, `/mdt iam <agency> as safeguarding lead`).
"""

from __future__ import annotations

from sqlalchemy import select

from commands.context import Context
from commands.governance.policy import CASE_EXAMPLE
from commands.language.grammar import clean_text
from commands.registry import command
from storage.models import LegalHold, Meeting, Person

HOLD_EXAMPLE = "/mdt hold case AB-1234 a complaint is being investigated"
HOLD_USAGE = "/mdt hold case <ref> <reason>, or /mdt hold case <ref> release"
RELEASE_EXAMPLE = "/mdt release case AB-1234"


def _case_ref(ctx: Context, words: list[str], example: str) -> str:
    if len(words) < 2 or words[0].lower() != "case":
        ctx.fail("usage", usage=HOLD_USAGE, example=example)
    ref = words[1].upper()
    if not ctx.governance.case_ref_ok(ref):
        ctx.fail("bad_case_ref", ref=words[1], sample=CASE_EXAMPLE, example=example)
    return ref


def _require_holder(ctx: Context, ref: str, doing: str) -> None:
    """The chair of a meeting of the case, or a safeguarding lead."""
    if "safeguarding lead" in (ctx.caller.role or "").lower():
        return
    chairs = ctx.session.scalars(
        select(Person)
        .join(Meeting, Meeting.chair_id == Person.id)
        .where(Meeting.workspace_id == ctx.workspace.id, Meeting.case_ref == ref)
        .distinct()
    ).all()
    if ctx.caller not in chairs:
        ctx.fail(
            "only_case_chair",
            case=ref,
            chairs=sorted(p.display_name for p in chairs),
            doing=doing,
        )


def _active(ctx: Context, ref: str) -> LegalHold | None:
    return ctx.session.scalar(
        select(LegalHold).where(
            LegalHold.workspace_id == ctx.workspace.id,
            LegalHold.case_ref == ref,
            LegalHold.released_at.is_(None),
        )
    )


def _release(ctx: Context, ref: str) -> None:
    _require_holder(ctx, ref, "release its legal hold")
    hold = _active(ctx, ref)
    if hold is None:
        ctx.fail("not_held", case=ref, example=HOLD_EXAMPLE)
    hold.released_by_id = ctx.caller.id
    hold.released_at = ctx.now
    ctx.reply("governance:released", case=ref, held_by=hold.held_by.display_name)


@command(
    "hold",
    usage="/mdt hold case <ref> <reason> | /mdt hold case <ref> release",
    summary="stop retention erasing a case's records (a legal hold), or release it",
    example=HOLD_EXAMPLE,
    who="a chair of the case, or a safeguarding lead",
)
def hold(ctx: Context, args: str) -> None:
    """Put a case on legal hold, with the reason; or release it."""
    words = args.split()
    ref = _case_ref(ctx, words, HOLD_EXAMPLE)
    reason = clean_text(" ".join(words[2:]), limit=500, what="the reason")
    if reason.lower() == "release":
        _release(ctx, ref)
        return
    _require_holder(ctx, ref, "put its records on legal hold")
    if not reason:
        ctx.fail("hold_needs_reason", case=ref, example=HOLD_EXAMPLE)
    held = _active(ctx, ref)
    if held is not None:
        ctx.fail(
            "already_held",
            case=ref,
            held_by=held.held_by.display_name,
            held_at=held.held_at,
            example=f"/mdt hold case {ref} release",
        )
    ctx.session.add(
        LegalHold(
            workspace_id=ctx.workspace.id,
            case_ref=ref,
            reason=reason,
            held_by_id=ctx.caller.id,
            held_at=ctx.now,
        )
    )
    ctx.reply("governance:held", case=ref, reason=reason)


@command(
    "release",
    usage="/mdt release case <ref>",
    summary="release a case's legal hold, so retention applies again",
    example=RELEASE_EXAMPLE,
    who="a chair of the case, or a safeguarding lead",
)
def release(ctx: Context, args: str) -> None:
    """Release a case's legal hold."""
    words = args.split()
    if len(words) != 2:
        ctx.fail("usage", usage="/mdt release case <ref>", example=RELEASE_EXAMPLE)
    _release(ctx, _case_ref(ctx, words, RELEASE_EXAMPLE))
