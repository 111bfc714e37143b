"""`/mdt action`: a SMART action with one owner and a due date, and the use case under it.

`record_action` is what every way of making an action calls: the text command and the
`action:` line here, the Slack shortcut form and a review's START item.
"""

from __future__ import annotations

from datetime import date

from commands.context import Context
from commands.documents.views import action_view, meeting_view
from commands.errors import CommandError
from commands.language.dates import DateError, parse_date
from commands.language.grammar import ClauseKind, clean_text, scan_clauses, split_word
from commands.language.smart import check
from commands.people.absence import AbsenceView, absence_view
from commands.people.naming import DATE_STARTERS, action_buttons, looks_like_mention
from commands.record.recording import recordable, source
from commands.registry import command
from commands.reminders.policy import due_reminder_day
from commands.reminders.rows import policy_for, refresh_reminders
from storage.absences import overlapping
from storage.models import Action, Meeting, Person
from storage.numbering import next_number
from storage.status import ActionStatus

ACTION_EXAMPLE = (
    "/mdt action M3 @tom confirm the grab rails are fitted by friday "
    "measure photo of fitted rails shared with the team"
)
ACTION_USAGE = "/mdt action M3 @owner <what> by <when>"
# Words that introduce a due date; `for next tuesday` too, when what follows is a date.
DUE_WORDS = frozenset({"by", "on", "due", "for"})


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


def due_date(ctx: Context, when: str, example: str = ACTION_EXAMPLE) -> date:
    """The due date written after `by`, or the reply that it cannot be read."""
    try:
        return parse_date(when, ctx.today, ctx.calendar)
    except DateError as error:
        ctx.fail("action_needs_due", problem=error.message, example=example)


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
    meeting, rest = ctx.meeting_or_running(clean_text(args), ACTION_USAGE)
    action_line(ctx, meeting, rest)


def action_line(ctx: Context, meeting: Meeting, rest: str) -> Action:
    """Read `@owner <what> by <when> [measure ...]` and record that action at the meeting."""
    recordable(ctx, meeting, "record actions")
    owner_token, _, rest = rest.partition(" ")
    if not owner_token:
        ctx.fail("action_needs_owner", example=ACTION_EXAMPLE)
    if others := _other_owners(owner_token, rest):
        owners = [owner_token.rstrip(",").split("/")[0], *others]
        ctx.fail("action_one_owner", owners=owners, example=ACTION_EXAMPLE)
    owner = owner_named(ctx, owner_token)
    body, measure = split_word(rest, "measure")
    description, due, problem = _due_from(ctx, body)
    if due is None and measure:
        measure, due, problem = _due_from(ctx, measure)
    if not description:
        ctx.fail("action_needs_text", example=ACTION_EXAMPLE)
    if due is None:
        ctx.fail("action_needs_due", problem=problem, example=ACTION_EXAMPLE)
    return record_action(ctx, meeting, owner, description, due, measure=measure)


def record_action(
    ctx: Context,
    meeting: Meeting,
    owner: Person,
    what: str,
    due: date,
    *,
    measure: str | None,
    example: str = ACTION_EXAMPLE,
) -> Action:
    """Record an action at a meeting: checked against SMART, chased, posted, and told its owner."""
    recordable(ctx, meeting, "record actions")
    if due < ctx.today:
        ctx.fail("due_in_past", due=due, example=example)
    smart = check(
        what,
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
        description=what,
        measure=measure or None,
        due=due,
        status=ActionStatus.OPEN,
        accepted=False,
        specific=smart.specific,
        measurable=smart.measurable,
        relevant=smart.relevant,
        time_bound=smart.time_bound,
        created_by_id=ctx.caller.id,
        created_at=ctx.now,
        **source(ctx),
    )
    ctx.session.add(record)
    ctx.session.flush()
    ctx.session.refresh(record)
    refresh_reminders(ctx.session, record, ctx.now, calendar=ctx.calendar)
    _announce(ctx, meeting, owner, record)
    return record


def _announce(ctx: Context, meeting: Meeting, owner: Person, record: Action) -> None:
    """Post the action in the meeting's channel and send its owner the card to accept it."""
    view = action_view(record, ctx.today)
    holiday = None
    next_working = None
    reminded_on = None
    if not ctx.calendar.is_working_day(record.due):
        holiday = ctx.calendar.holiday_name(record.due)
        next_working = ctx.calendar.next_working_day(record.due)
        reminded_on = _due_reminder_day(ctx, record.due)
    ctx.post(
        "record:action",
        channel=meeting.channel,
        action=view,
        meeting=meeting_view(meeting, ctx.today),
        holiday=holiday,
        next_working=next_working,
        reminded_on=reminded_on,
        due_today=record.due == ctx.today,
        away=_away_before_due(ctx, owner, record.due),
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


def _away_before_due(ctx: Context, owner: Person, due: date) -> AbsenceView | None:
    """The owner's first recorded absence between today and the due date, if any."""
    absence = overlapping(ctx.session, owner.id, ctx.today, due)
    return absence_view(absence, ctx.calendar) if absence else None


def _due_reminder_day(ctx: Context, due: date) -> date | None:
    """When the due-date reminder of an action due on a day off goes, if one still will."""
    if not policy_for(ctx.session, ctx.workspace.id).on_due_date:
        return None
    day = due_reminder_day(due, ctx.calendar)
    return day if day > ctx.today else None


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


def owner_named(ctx: Context, token: str, example: str = ACTION_EXAMPLE) -> Person:
    """The owner named first: a mention, or a known name; otherwise the owner is missing."""
    if looks_like_mention(token):
        return ctx.mentioned(token)
    try:
        return ctx.mentioned(token)
    except CommandError:
        ctx.fail("action_needs_owner", example=example, given=token)
