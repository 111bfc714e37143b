"""The guard every use case calls on free text before it is saved or sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.governance.pii import find_pii

if TYPE_CHECKING:
    from commands.context import Context


def guard_text(ctx: Context, *texts: str | None) -> None:
    """Refuse, privately and naming only the kind, any text holding personal data."""
    for text in texts:
        if text and (kind := find_pii(text, ctx.governance.own_domains)):
            ctx.fail("personal_data", kind=kind)
