"""Professional disagreements: `/mdt escalate`, `/mdt resolve` and `/mdt escalations`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from commands.context import Context
from commands.documents.views import PersonView, person_view
from commands.escalation.deadlines import stage_deadline
from commands.escalation.protocols import Protocol, Stage, protocol
from commands.language.grammar import clean_text, first_word
from commands.people.naming import read_mentions
from commands.registry import command
from storage.models import (
    Decision,
    Disagreement,
    DisagreementMember,
    DisagreementStep,
    Invitation,
    Meeting,
    Person,
    StageNotice,
)
from storage.numbering import next_number

DISAGREEMENT_REF = re.compile(r"^[Ee](\d{1,9})$")
DECISION_REF = re.compile(r"^[Dd](\d{1,9})$")
OPEN, RESOLVED = "open", "resolved"
ESCALATE_EXAMPLE = "/mdt escalate D4 police were not consulted before the case was closed"
RESOLVE_EXAMPLE = "/mdt resolve E2 decision stands: line managers agreed the reasons at stage 2"

# The outcome kinds of a resolution, with the words that name each at the start of the outcome.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "stands": ("decision stands", "stands", "upheld", "decision upheld"),
    "changed": ("decision changed", "changed", "decision changes", "overturned"),
    "meeting": ("new meeting called", "new meeting", "meeting called", "meeting"),
}
OUTCOME_LABELS = {
    "stands": "the decision stands",
    "changed": "the decision is changed",
    "meeting": "a new meeting is called",
}


@dataclass(frozen=True)
class StageView:
    """A stage as shown: its number, title, who deals with it and its limit."""

    number: int
    title: str
    who: str
    working_days: int
    tell: str


@dataclass(frozen=True)
class DisagreementView:
    """A disagreement as shown in replies, notices and lists."""

    ref: str
    decision_ref: str
    decision_text: str
    meeting_ref: str
    meeting_title: str
    protocol: str
    stage: StageView
    next_stage: StageView | None
    status: str
    reason: str
    raised_by: PersonView
    involved: list[PersonView]
    opened_at: datetime
    due_at: datetime
    outcome: str | None
    outcome_text: str | None
    resolved_at: datetime | None


def stage_view(stage: Stage) -> StageView:
    """The view of a protocol stage."""
    return StageView(stage.number, stage.title, stage.who, stage.working_days, stage.tell)


def disagreement_view(item: Disagreement) -> DisagreementView:
    """The view of a disagreement, with its protocol's current and next stage."""
    rules = protocol(item.protocol)
    following = rules.stage(item.stage + 1) if item.stage < rules.last else None
    return DisagreementView(
        ref=item.ref,
        decision_ref=decision_ref(item.decision),
        decision_text=item.decision.text,
        meeting_ref=item.meeting.ref,
        meeting_title=item.meeting.title,
        protocol=rules.name,
        stage=stage_view(rules.stage(item.stage)),
        next_stage=stage_view(following) if following else None,
        status=item.status,
        reason=item.reason,
        raised_by=person_view(item.raised_by),
        involved=[person_view(m.person) for m in item.members if m.stage <= item.stage],
        opened_at=item.opened_at,
        due_at=item.stage_due_at,
        outcome=OUTCOME_LABELS.get(item.outcome or ""),
        outcome_text=item.outcome_text,
        resolved_at=item.resolved_at,
    )


def decision_ref(decision: Decision) -> str:
    """`D4`: the decision's workspace ref."""
    return str(decision.ref)


def _decision(ctx: Context, token: str) -> Decision:
    decision: Decision = ctx.decision(token)
    return decision


def _disagreement(ctx: Context, token: str) -> Disagreement:
    match = DISAGREEMENT_REF.match(token)
    if match is None:
        ctx.fail("escalation:bad_disagreement_ref", token=token)
    found = ctx.session.scalar(
        select(Disagreement)
        .where(Disagreement.workspace_id == ctx.workspace.id, Disagreement.number == int(match[1]))
        .options(joinedload(Disagreement.meeting), joinedload(Disagreement.decision))
    )
    if found is None:
        ctx.fail("escalation:unknown_disagreement", ref=f"E{int(match[1])}")
    return found


def _rules(ctx: Context) -> Protocol:
    return protocol(ctx.governance.escalation_protocol)


def _is_member(item: Disagreement, person: Person) -> bool:
    return any(m.person_id == person.id for m in item.members)


def _require_member(ctx: Context, item: Disagreement, doing: str) -> None:
    if not _is_member(item, ctx.caller):
        ctx.fail(
            "escalation:only_involved",
            ref=item.ref,
            doing=doing,
            raised_by=item.raised_by.display_name,
        )


def _require_open(ctx: Context, item: Disagreement) -> None:
    if item.status != OPEN:
        ctx.fail("escalation:disagreement_closed", ref=item.ref, at=item.resolved_at)


def _next_number(ctx: Context) -> int:
    return next_number(ctx.session, ctx.workspace.id, "disagreement")


def _step(ctx: Context, item: Disagreement, kind: str, **fields: object) -> None:
    ctx.session.add(
        DisagreementStep(
            disagreement_id=item.id,
            kind=kind,
            stage=item.stage,
            author_id=ctx.caller.id,
            at=ctx.now,
            **fields,
        )
    )


def _member(ctx: Context, item: Disagreement, person: Person, role: str, stage: int) -> None:
    ctx.session.add(
        DisagreementMember(
            disagreement_id=item.id,
            person_id=person.id,
            stage=stage,
            role=role,
            added_by_id=ctx.caller.id,
            added_at=ctx.now,
        )
    )


def _schedule_notice(ctx: Context, item: Disagreement) -> None:
    """The worker's row for the moment the current stage's time runs out."""
    ctx.session.execute(
        update(StageNotice)
        .where(StageNotice.disagreement_id == item.id, StageNotice.status == "pending")
        .values(status="cancelled", settled_at=ctx.now)
        .execution_options(synchronize_session=False)
    )
    ctx.session.add(
        StageNotice(
            workspace_id=item.workspace_id,
            disagreement_id=item.id,
            stage=item.stage,
            key=f"E{item.id}:stage{item.stage}",
            due_at=item.stage_due_at,
            status="pending",
            created_at=ctx.now,
        )
    )


def _deadline(ctx: Context, stage: Stage) -> datetime:
    return stage_deadline(ctx.now, stage.working_days, ctx.workspace_zone, ctx.calendar)


def _tell_involved(ctx: Context, item: Disagreement, template: str, **context: Any) -> None:
    """A direct message to everyone involved but the caller, after the change is flushed."""
    ctx.session.flush()
    ctx.session.refresh(item)
    view = disagreement_view(item)
    for member in item.members:
        if member.person_id != ctx.caller.id and member.stage <= item.stage:
            ctx.dm(member.person, template, item=view, by=person_view(ctx.caller), **context)


def open_disagreement(ctx: Context, decision: Decision, reason: str) -> Disagreement:
    """Open `E<n>` about a decision at stage 1: the raiser and the decision's chair involved."""
    meeting = ctx.session.get(Meeting, decision.meeting_id)
    if meeting is None:
        raise LookupError(f"decision {decision.id} has no meeting")
    ctx.require_invitee(meeting, "escalate its decisions")
    reason = clean_text(reason, what="reason")
    if not reason:
        ctx.fail("escalation:escalate_needs_reason", example=ESCALATE_EXAMPLE)
    rules = _rules(ctx)
    first = rules.stage(1)
    item = Disagreement(
        workspace_id=ctx.workspace.id,
        number=_next_number(ctx),
        decision_id=decision.id,
        meeting_id=meeting.id,
        protocol=rules.key,
        stage=1,
        status=OPEN,
        reason=reason,
        raised_by_id=ctx.caller.id,
        opened_at=ctx.now,
        stage_started_at=ctx.now,
        stage_due_at=_deadline(ctx, first),
    )
    ctx.session.add(item)
    ctx.session.flush()
    _member(ctx, item, ctx.caller, "raiser", 1)
    if meeting.chair_id != ctx.caller.id:
        _member(ctx, item, meeting.chair, "chair", 1)
    _step(ctx, item, "opened", text=reason)
    _schedule_notice(ctx, item)
    _tell_involved(ctx, item, "escalation:opened_notice")
    ctx.reply("escalation:opened", item=disagreement_view(item))
    return item


def _add_people(ctx: Context, item: Disagreement, words: list[str]) -> None:
    stage = item.stage
    if len(words) >= 3 and [w.lower() for w in words[-3:-1]] == ["at", "stage"]:
        wanted = words[-1]
        rules = protocol(item.protocol)
        if not wanted.isdigit() or not item.stage <= int(wanted) <= rules.last:
            ctx.fail(
                "escalation:bad_stage",
                given=wanted,
                current=item.stage,
                last=rules.last,
                ref=item.ref,
            )
        stage, words = int(wanted), words[:-3]
    try:
        people = read_mentions(ctx, words)
    except ValueError:
        ctx.fail("escalation:escalate_add_who", ref=item.ref)
    added = [p for p in dict.fromkeys(people) if not _is_member(item, p)]
    if not added:
        ctx.fail("escalation:already_involved", ref=item.ref)
    for person in added:
        _member(ctx, item, person, "added", stage)
        _step(ctx, item, "added", person_id=person.id)
    ctx.session.flush()
    ctx.session.refresh(item)
    view = disagreement_view(item)
    for person in added:
        template = "escalation:added_notice" if stage <= item.stage else "escalation:named_notice"
        ctx.dm(person, template, item=view, by=person_view(ctx.caller), stage=stage)
    ctx.reply("escalation:added", item=view, people=[person_view(p) for p in added], stage=stage)


def _next_stage(ctx: Context, item: Disagreement, reason: str) -> None:
    rules = protocol(item.protocol)
    if item.stage >= rules.last:
        ctx.fail("escalation:last_stage", ref=item.ref, stage=stage_view(rules.stage(item.stage)))
    reason = clean_text(reason, what="reason")
    moved = ctx.session.execute(
        update(Disagreement)
        .where(
            Disagreement.id == item.id,
            Disagreement.status == OPEN,
            Disagreement.stage == item.stage,
        )
        .values(
            stage=item.stage + 1,
            stage_started_at=ctx.now,
            stage_due_at=_deadline(ctx, rules.stage(item.stage + 1)),
        )
        .returning(Disagreement.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if moved is None:
        ctx.fail("escalation:disagreement_moved", ref=item.ref)
    ctx.session.refresh(item)
    _step(ctx, item, "escalated", text=reason)
    _schedule_notice(ctx, item)
    _tell_involved(ctx, item, "escalation:escalated_notice", reason=reason)
    ctx.reply("escalation:escalated", item=disagreement_view(item), reason=reason)


@command(
    "escalate",
    usage="/mdt escalate D4 <reason> | E2 <reason> | E2 add @person [at stage N]",
    summary="raise a professional disagreement about a decision, or take it to the next stage",
    example=ESCALATE_EXAMPLE,
    who="invitees (a decision); those involved (a disagreement)",
)
def escalate(ctx: Context, args: str) -> None:
    """Open a disagreement about a decision, add people to one, or move it to the next stage."""
    ref, rest = first_word(args)
    if DECISION_REF.match(ref):
        open_disagreement(ctx, _decision(ctx, ref), rest)
        return
    if not DISAGREEMENT_REF.match(ref):
        ctx.fail("escalation:escalate_what", token=ref, example=ESCALATE_EXAMPLE)
    item = _disagreement(ctx, ref)
    _require_member(ctx, item, "take it further")
    _require_open(ctx, item)
    word, people = first_word(rest)
    if word.lower() == "add":
        _add_people(ctx, item, people.split())
        return
    if not rest.strip():
        ctx.fail("escalation:escalate_needs_reason", example=f"/mdt escalate {item.ref} <reason>")
    _next_stage(ctx, item, rest)


def _outcome(text: str) -> tuple[str, str] | None:
    lowered = text.lower()
    for kind, phrases in OUTCOMES.items():
        for phrase in phrases:
            if lowered == phrase or lowered.startswith((phrase + " ", phrase + ":")):
                return kind, text[len(phrase) :].lstrip(" :,-").strip()
    return None


@command(
    "resolve",
    usage="/mdt resolve E2 decision stands|decision changed|new meeting: <outcome>",
    summary="close a professional disagreement with its outcome",
    example=RESOLVE_EXAMPLE,
    who="those involved",
)
def resolve(ctx: Context, args: str) -> None:
    """Close a disagreement with the outcome kind and what was agreed."""
    ref, rest = first_word(args)
    item = _disagreement(ctx, ref)
    _require_member(ctx, item, "resolve it")
    _require_open(ctx, item)
    found = _outcome(rest.strip())
    if found is None or not found[1]:
        ctx.fail("escalation:resolve_how", ref=item.ref, example=RESOLVE_EXAMPLE)
    kind, text = found
    text = clean_text(text, what="outcome")
    closed = ctx.session.execute(
        update(Disagreement)
        .where(Disagreement.id == item.id, Disagreement.status == OPEN)
        .values(
            status=RESOLVED,
            outcome=kind,
            outcome_text=text,
            resolved_at=ctx.now,
            resolved_by_id=ctx.caller.id,
        )
        .returning(Disagreement.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if closed is None:
        ctx.fail("escalation:disagreement_closed", ref=item.ref, at=None)
    ctx.session.execute(
        update(StageNotice)
        .where(StageNotice.disagreement_id == item.id, StageNotice.status == "pending")
        .values(status="cancelled", settled_at=ctx.now)
        .execution_options(synchronize_session=False)
    )
    ctx.session.refresh(item)
    _step(ctx, item, "resolved", text=f"{OUTCOME_LABELS[kind]}: {text}")
    _tell_involved(ctx, item, "escalation:resolved_notice")
    ctx.reply("escalation:resolved", item=disagreement_view(item))


def visible_disagreements(ctx: Context, *, open_only: bool) -> list[Disagreement]:
    """Disagreements the caller is involved in or whose meeting they may see, newest first."""
    involved = select(DisagreementMember.disagreement_id).where(
        DisagreementMember.person_id == ctx.caller.id
    )
    invited = select(Invitation.meeting_id).where(Invitation.person_id == ctx.caller.id)
    query = (
        select(Disagreement)
        .join(Meeting, Disagreement.meeting_id == Meeting.id)
        .where(
            Disagreement.workspace_id == ctx.workspace.id,
            or_(
                Disagreement.id.in_(involved),
                Meeting.chair_id == ctx.caller.id,
                Meeting.id.in_(invited),
            ),
        )
        .options(joinedload(Disagreement.meeting), joinedload(Disagreement.decision))
        .order_by(Disagreement.number.desc())
        .limit(100)
    )
    if open_only:
        query = query.where(Disagreement.status == OPEN)
    return list(ctx.session.scalars(query).unique())


@command(
    "escalations",
    usage="/mdt escalations [open|all]",
    summary="professional disagreements you are involved in or may see",
    example="/mdt escalations all",
    who="anyone (what they may see)",
    reads=("", "open", "all"),
)
def escalations(ctx: Context, args: str) -> None:
    """List open (or all) disagreements the caller may see."""
    which = args.strip().lower() or "open"
    if which not in ("open", "all"):
        ctx.fail(
            "bad_choice",
            given=args.strip(),
            choices=["open", "all"],
            example="/mdt escalations all",
        )
    found = visible_disagreements(ctx, open_only=which == "open")
    views = [disagreement_view(item) for item in found]
    ctx.reply("escalation:listing", items=views, which=which)
