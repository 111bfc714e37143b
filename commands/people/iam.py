"""Who people are: `/mdt iam` records the caller's agency and role."""

from __future__ import annotations

from commands.context import Context
from commands.language.grammar import clean_text, split_word
from commands.people.naming import agency_for
from commands.registry import command

IAM_EXAMPLE = "/mdt iam West Sussex Adult Social Care as social worker"


@command(
    "iam",
    usage="/mdt iam <agency> [as <role>] [sector <sector>]",
    summary="record your own agency and role",
    example=IAM_EXAMPLE,
    aliases=("me", "whoami"),
)
def iam(ctx: Context, args: str) -> None:
    """Record the caller's agency (its sector inferred, or asked for) and role."""
    text = clean_text(args, limit=300, what="your agency")
    if not text:
        person = ctx.caller
        ctx.reply(
            "people:iam_show",
            agency=person.agency.name if person.agency else None,
            sector=person.agency.sector if person.agency else None,
            role=person.role,
            example=IAM_EXAMPLE,
        )
        return
    agency_text, role = split_word(text, "as")
    sector_part = ""
    if role is not None:
        role, sector_text = split_word(role, "sector")
        if sector_text is not None:
            sector_part = f" sector {sector_text}"
    agency = agency_for(ctx, agency_text + sector_part)
    ctx.caller.agency_id = agency.id
    if role:
        ctx.caller.role = role
    ctx.reply("people:iam_done", agency=agency.name, sector=agency.sector, role=ctx.caller.role)
