"""Recording at a meeting: decisions with rationale, SMART actions and notes for the minutes."""

from __future__ import annotations

from datetime import date

from commands.context import Context
from commands.documents.views import action_view, meeting_view
from commands.errors import CommandError
from commands.language.dates import parse_date
from commands.language.grammar import ClauseKind, clean_text, scan_clauses, split_word
from commands.language.smart import check
from commands.people.naming import DATE_STARTERS, action_buttons, looks_like_mention
from commands.registry import command
from commands.reminders.rows import refresh_reminders
from storage.models import Action, Decision, Meeting, Note, Person
from storage.numbering import next_number

ACTION_EXAMPLE = (
    "/mdt action M3 @tom confirm the grab rails are fitted by friday "
    "measure photo of fitted rails shared with the team"
)
# Words that introduce a due date; `for next tuesday` too, when what follows is a date.
DUE_WORDS = frozenset({"by", "on", "due", "for"})
DECISION_EXAMPLE = "/mdt decision M3 Discharge on 11 Feb because adaptations are fitted by 10 Feb"


def _recordable(ctx: Context, meeting: Meeting, doing: str) -> None:
    ctx.require_recorder(meeting, doing)
    if meeting.status not in {"running", "ended"}:
        ctx.fail("not_started", meeting=meeting.ref, status=meeting.status)


def _source(ctx: Context) -> dict[str, str | None]:
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
    meeting, rest = ctx.meeting_or_running(clean_text(args), "/mdt decision M3 <text>")
    _recordable(ctx, meeting, "record decisions")
    text, rationale = split_word(rest, "because")
    if not text:
        ctx.fail("decision_needs_text", example=DECISION_EXAMPLE)
    record = Decision(
        workspace_id=ctx.workspace.id,
        number=next_number(ctx.session, ctx.workspace.id, "decision"),
        meeting_id=meeting.id,
        text=text,
        rationale=rationale or None,
        author_id=ctx.caller.id,
        to_ratify=meeting.quorate is False,
        created_at=ctx.now,
        **_source(ctx),
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


def _due_kinds(ctx: Context) -> list[ClauseKind]:
    def date_of(words: list[str]) -> date:
        return parse_date(" ".join(words), ctx.today, ctx.calendar)

    return [
        ClauseKind("due", DUE_WORDS, date_of),
        ClauseKind("due", DATE_STARTERS, date_of, keep_starter=True),
    ]


def _due_from(ctx: Context, text: str) -> tuple[str, date | None, str | None]:
    found = scan_clauses(text.split(), _due_kinds(ctx))
    # Only a phrase introduced as a date (`by ...`) explains a missing one: `next meeting` in
    # "book the next meeting" was never meant as a date.
    said = [f for f in found.failures if f[1].split()[0].lower() in DUE_WORDS - {"for"}]
    problem = said[-1][2] if said else None
    return found.head_text, found.values.get("due"), problem


@command(
    "action",
    usage="/mdt action [M3] @owner <what> by <when> [measure <how we will know it is done>]",
    summary="record a SMART action with one owner and a due date",
    example=ACTION_EXAMPLE,
    who="chair, minute-taker",
    aliases=("task",),
)
def action(ctx: Context, args: str) -> None:
    """Record an action: one owner, a due date, checked against SMART."""
    meeting, rest = ctx.meeting_or_running(
        clean_text(args), "/mdt action M3 @owner <what> by <when>"
    )
    _recordable(ctx, meeting, "record actions")
    owner_token, _, rest = rest.partition(" ")
    if not owner_token:
        ctx.fail("action_needs_owner", example=ACTION_EXAMPLE)
    if others := _other_owners(owner_token, rest):
        owners = [owner_token.rstrip(",").split("/")[0], *others]
        ctx.fail("action_one_owner", owners=owners, example=ACTION_EXAMPLE)
    owner = _owner(ctx, owner_token)
    body, measure = split_word(rest, "measure")
    description, due, problem = _due_from(ctx, body)
    if due is None and measure:
        measure, due, problem = _due_from(ctx, measure)
    if not description:
        ctx.fail("action_needs_text", example=ACTION_EXAMPLE)
    if due is None:
        ctx.fail("action_needs_due", problem=problem, example=ACTION_EXAMPLE)
    if due < ctx.today:
        ctx.fail("due_in_past", due=due, example=ACTION_EXAMPLE)
    smart = check(
        description,
        measure,
        due,
        accepted=False,
        has_meeting=True,
        today=ctx.today,
        calendar=ctx.calendar,
    )
    record = Action(
        workspace_id=ctx.workspace.id,
        number=next_number(ctx.session, ctx.workspace.id, "action"),
        meeting_id=meeting.id,
        decision_id=meeting.decisions[-1].id if meeting.decisions else None,
        owner_id=owner.id,
        description=description,
        measure=measure or None,
        due=due,
        status="open",
        accepted=False,
        specific=smart.specific,
        measurable=smart.measurable,
        relevant=smart.relevant,
        time_bound=smart.time_bound,
        created_by_id=ctx.caller.id,
        created_at=ctx.now,
        **_source(ctx),
    )
    ctx.session.add(record)
    ctx.session.flush()
    ctx.session.refresh(record)
    refresh_reminders(ctx.session, record, ctx.now, calendar=ctx.calendar)
    view = action_view(record, ctx.today)
    holiday = None
    next_working = None
    if not ctx.calendar.is_working_day(due):
        holiday = ctx.calendar.holiday_name(due)
        next_working = ctx.calendar.next_working_day(due)
    ctx.post(
        "record:action",
        channel=meeting.channel,
        action=view,
        meeting=meeting_view(meeting, ctx.today),
        holiday=holiday,
        next_working=next_working,
        due_today=due == ctx.today,
    )
    ctx.dm(
        owner,
        "actions:assigned",
        kind="action_card",
        buttons=action_buttons(record.ref),
        action=view,
        meeting=meeting_view(meeting, ctx.today),
        by=ctx.caller.display_name,
    )


def _other_owners(owner_token: str, rest: str) -> list[str]:
    """More owners named after the first (`@a and @b`, `@a, @b`, `@a/@b`): an action has one."""
    names = [t for t in owner_token.split("/")[1:] if looks_like_mention(t)]
    words = rest.split()
    index = 0
    while index < len(words):
        word = words[index].rstrip(",")
        if word.lower() in {"and", "&", "+", "or", "with"} and index + 1 < len(words):
            following = words[index + 1].rstrip(",")
            if not looks_like_mention(following):
                break
            names.append(following)
            index += 2
        elif looks_like_mention(word):
            names.append(word)
            index += 1
        else:
            break
    return names


def _owner(ctx: Context, token: str) -> Person:
    """The owner named first: a mention, or a known name; otherwise the owner is missing."""
    if looks_like_mention(token):
        return ctx.mentioned(token)
    try:
        return ctx.mentioned(token)
    except CommandError:
        ctx.fail("action_needs_owner", example=ACTION_EXAMPLE, given=token)


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
    if meeting.status not in {"running", "ended"}:
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
            **_source(ctx),
        )
    )
    ctx.confirm("record:note", meeting=meeting_view(meeting, ctx.today), text=text)
