"""After a decision: dissent under it (told to the chair) and ratification at a later meeting."""

from __future__ import annotations

from typing import Any

from commands.context import Context
from commands.documents.views import meeting_view
from commands.escalation.disagreements import open_disagreement
from commands.language.grammar import clean_text, first_word
from commands.record.outcomes import decision_record
from commands.record.recording import source
from commands.registry import command
from storage.models import Dissent, Meeting

DISSENT_USAGE = "/mdt dissent D4 [escalate] <reason>"
DISSENT_EXAMPLE = "/mdt dissent D4 the risk to the person at home is higher than recorded"
RATIFY_USAGE = "/mdt ratify D4 | /mdt ratify D4 no <reason>"
RATIFY_EXAMPLE = "/mdt ratify D4"


@command(
    "dissent",
    usage=DISSENT_USAGE,
    summary="record your disagreement with a decision, shown under it; the chair is told",
    example=DISSENT_EXAMPLE,
    who="invitees",
    aliases=("disagree",),
)
def dissent(ctx: Context, args: str) -> None:
    """Record that the caller disagrees with a decision, and why."""
    ref, rest = first_word(clean_text(args))
    if not ref:
        ctx.fail("usage", usage=DISSENT_USAGE, example=DISSENT_EXAMPLE)
    decision = ctx.decision(ref)
    meeting = decision.meeting
    ctx.require_invitee(meeting, f"disagree with {decision.ref}")
    ctx.require_unlocked(meeting, f"add a dissent to {decision.ref}")
    word, tail = first_word(rest)
    escalate = word.lower() == "escalate"
    reason = tail if escalate else rest
    if not reason:
        ctx.fail("dissent_needs_reason", example=DISSENT_EXAMPLE.replace("D4", decision.ref))
    ctx.session.add(
        Dissent(
            decision_id=decision.id,
            person_id=ctx.caller.id,
            reason=reason,
            escalate=escalate,
            created_at=ctx.now,
            agency=ctx.caller.agency.name if ctx.caller.agency else None,
            sector=ctx.caller.agency.sector if ctx.caller.agency else None,
            **source(ctx),
        )
    )
    ctx.session.flush()
    ctx.session.expire(decision, ["dissents"])
    view = decision_record(decision)
    context: dict[str, Any] = {
        "decision": view,
        "meeting": meeting_view(meeting, ctx.today),
        "reason": reason,
        "escalate": escalate,
        "by": ctx.caller.display_name,
        "agency": ctx.caller.agency.name if ctx.caller.agency else None,
    }
    ctx.confirm("decisions:dissent_recorded", **context)
    if meeting.chair_id != ctx.caller.id:
        ctx.dm(meeting.chair, "decisions:dissent_to_chair", **context)
    if escalate:
        open_disagreement(ctx, decision, reason)


def _related(later: Meeting, earlier: Meeting) -> bool:
    same_series = later.series_id is not None and later.series_id == earlier.series_id
    same_case = later.case_ref is not None and later.case_ref == earlier.case_ref
    return same_series or same_case


@command(
    "ratify",
    usage=RATIFY_USAGE,
    summary="ratify (or not) a decision made while not quorate, at a later quorate meeting",
    example=RATIFY_EXAMPLE,
    who="chair of the later meeting",
)
def ratify(ctx: Context, args: str) -> None:
    """Ratify a decision left to be ratified, at the quorate meeting running here."""
    ref, rest = first_word(clean_text(args))
    if not ref:
        ctx.fail("usage", usage=RATIFY_USAGE, example=RATIFY_EXAMPLE)
    decision = ctx.decision(ref)
    earlier = decision.meeting
    ctx.require_invitee(earlier, f"see {decision.ref}")
    word, reason = first_word(rest)
    refuse = word.lower() == "no"
    if rest and not refuse:
        ctx.fail("usage", usage=RATIFY_USAGE, example=f"/mdt ratify {decision.ref} no <reason>")
    if refuse and not reason:
        ctx.fail("ratify_needs_reason", example=f"/mdt ratify {decision.ref} no <reason>")
    if not decision.to_ratify:
        ctx.fail("not_to_ratify", decision=decision.ref, meeting=earlier.ref)
    if decision.ratification is not None:
        ctx.fail("already_ratified", decision=decision.ref, outcome=decision.ratification)
    here = ctx.running_meeting()
    if here is None or here.id == earlier.id or not _related(here, earlier):
        ctx.fail("ratify_where", decision=decision.ref, meeting=earlier.ref)
    ctx.require_chair(here, f"ratify decisions at {here.ref}")
    if not here.quorate:
        ctx.fail("ratify_not_quorate", decision=decision.ref, meeting=here.ref)
    decision.ratification = "declined" if refuse else "ratified"
    decision.ratified_at = ctx.now
    decision.ratified_by_id = ctx.caller.id
    decision.ratified_in_id = here.id
    decision.ratification_reason = reason or None
    ctx.session.flush()
    ctx.post(
        "decisions:ratified",
        channel=here.channel,
        decision=decision_record(decision),
        meeting=meeting_view(here, ctx.today),
        earlier=meeting_view(earlier, ctx.today),
    )
