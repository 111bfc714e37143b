"""`/mdt show D4` and `/mdt show A17`: one decision or one action, with all that followed."""

from __future__ import annotations

from commands.context import Context
from commands.documents.views import meeting_view
from commands.record.history import action_record
from commands.record.outcomes import decision_record


def show_action(ctx: Context, ref: str) -> None:
    """One action with its whole history, to anyone who may see its meeting."""
    action = ctx.action(ref)
    ctx.require_invitee(action.meeting, f"see {action.ref}")
    record = action_record(action, ctx.today)
    ctx.reply("record:action_show", record=record, meeting=meeting_view(action.meeting, ctx.today))


def show_decision(ctx: Context, ref: str) -> None:
    """One decision with its rationale, dissent and ratification."""
    decision = ctx.decision(ref)
    meeting = decision.meeting
    ctx.require_invitee(meeting, f"see {decision.ref}")
    ctx.reply(
        "record:decision_show",
        decision=decision_record(decision),
        meeting=meeting_view(meeting, ctx.today),
    )
