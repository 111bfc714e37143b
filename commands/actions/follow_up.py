"""Following actions up: list, accept, done, progress, extend and reassign."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import joinedload

from commands.context import Context
from commands.documents.views import action_view, meeting_view
from commands.governance.visibility import may_see
from commands.language.dates import DateError, parse_date
from commands.language.grammar import clean_text, first_word, meeting_number, split_word
from commands.people.naming import action_buttons, split_mentions
from commands.registry import command
from commands.reminders.rows import refresh_reminders
from storage.models import Action, ActionUpdate, Meeting, Person
from storage.status import ActionStatus

LIMIT = 200  # actions listed at most: open before closed, the earliest due first
EXTEND_EXAMPLE = "/mdt extend A17 to next friday because the GP appointment moved"
# After the owner asks, the chair answers `/mdt extend A17 agree` or `decline <reason>`.
AGREE_WORDS = frozenset({"agree", "agreed", "accept", "approve", "yes", "ok"})
DECLINE_WORDS = frozenset({"decline", "declined", "refuse", "no"})
CANCEL_EXAMPLE = "/mdt cancel A17 circumstances changed: the person has moved out of area"
REASON_KINDS = ("circumstances changed", "agency did not act")


def _update(ctx: Context, action: Action, kind: str, **fields: object) -> None:
    ctx.session.add(
        ActionUpdate(
            action_id=action.id, kind=kind, author_id=ctx.caller.id, created_at=ctx.now, **fields
        )
    )


def _announce(
    ctx: Context, action: Action, template: str, *, tell_owner: bool, **values: Any
) -> None:
    """Reschedule the action's reminders, then tell its meeting's channel what changed.

    With `tell_owner`, the owner is also told privately, unless the owner did it.
    """
    refresh_reminders(ctx.session, action, ctx.now, calendar=ctx.calendar)
    ctx.session.flush()
    view = action_view(action, ctx.today)
    ctx.post(template, channel=action.meeting.channel, action=view, **values)
    if tell_owner and action.owner_id != ctx.caller.id:
        ctx.dm(action.owner, template, action=view, **values)


def _owner_or_chair(ctx: Context, action: Action, doing: str) -> None:
    if ctx.caller.id not in {action.owner_id, action.meeting.chair_id}:
        ctx.fail(
            "only_owner_or_chair",
            action=action.ref,
            owner=action.owner.display_name,
            chair=action.meeting.chair.display_name,
            doing=doing,
        )


def _require_open(ctx: Context, action: Action) -> None:
    if action.status != ActionStatus.OPEN:
        ctx.fail("action_closed", action=action.ref, status=action.status)


def _base_query(ctx: Context) -> Select[Any]:
    return (
        select(Action)
        .join(Meeting, Action.meeting_id == Meeting.id)
        .where(Action.workspace_id == ctx.workspace.id)
        .options(joinedload(Action.owner), joinedload(Action.meeting))
    )


def _visible_meetings(ctx: Context) -> Select[Any]:
    return select(Meeting.id).where(may_see(ctx.caller.id))


@command(
    "actions",
    usage="/mdt actions [mine|overdue|M3|@person]",
    summary="actions with status and due date, overdue first",
    example="/mdt actions overdue",
    who="anyone (own), invitees (a meeting's)",
    aliases=("todo", "tasks"),
    reads=("", "mine", "overdue", "{meeting}", "{person}"),
)
def actions(ctx: Context, args: str) -> None:
    """List actions: the caller's, overdue ones, a meeting's or a person's."""
    which = args.strip()
    query = _base_query(ctx)
    title: str
    if not which or which.lower() == "mine":
        my_actions(ctx)
        return
    if which.lower() == "overdue":
        query = query.where(
            Action.status == ActionStatus.OPEN,
            Action.due < ctx.today,
            or_(Action.owner_id == ctx.caller.id, Action.meeting_id.in_(_visible_meetings(ctx))),
        )
        title = "overdue"
    elif meeting_number(which) is not None:
        meeting = ctx.meeting(which)
        ctx.require_invitee(meeting, "see its actions")
        query = query.where(Action.meeting_id == meeting.id)
        title = meeting.ref
    else:
        people, extra = split_mentions(ctx, which)
        if len(people) != 1 or extra:
            ctx.fail(
                "bad_choice",
                given=which,
                choices=["mine", "overdue", "M3", "@person"],
                example="/mdt actions overdue",
            )
        person = people[0]
        query = query.where(
            Action.owner_id == person.id,
            Action.status == ActionStatus.OPEN,
            or_(Action.owner_id == ctx.caller.id, Action.meeting_id.in_(_visible_meetings(ctx))),
        )
        title = person.display_name
    _listing(ctx, query, title)


def my_actions(ctx: Context) -> None:
    """The caller's open actions (`/mdt actions mine`, and the Slack Home tab)."""
    query = _base_query(ctx).where(
        Action.owner_id == ctx.caller.id, Action.status == ActionStatus.OPEN
    )
    _listing(ctx, query, "mine")


def _listing(ctx: Context, query: Select[Any], title: str) -> None:
    first = case((Action.status == ActionStatus.OPEN, 0), else_=1)
    ordered = query.order_by(first, Action.due, Action.number).limit(LIMIT)
    found = ctx.session.scalars(ordered).unique().all()
    views = sorted(
        (action_view(a, ctx.today) for a in found),
        key=lambda v: (v.status != ActionStatus.OPEN, not v.overdue, v.due, v.ref),
    )
    ctx.reply("actions:listing", which=title, actions=views)


@command(
    "accept",
    usage="/mdt accept A17",
    summary="accept an action given to you (the A of SMART)",
    example="/mdt accept A17",
    who="owner",
)
def accept(ctx: Context, args: str) -> None:
    """The owner accepts their action."""
    accept_action(ctx, ctx.action(args.strip()))


def accept_action(ctx: Context, action: Action) -> None:
    """The caller, the owner, accepts the action (the A of SMART)."""
    if ctx.caller.id != action.owner_id:
        ctx.fail(
            "only_owner", action=action.ref, owner=action.owner.display_name, doing="accept it"
        )
    _require_open(ctx, action)
    if action.accepted:
        ctx.reply("actions:already_accepted", action=action_view(action, ctx.today))
        return
    action.accepted = True
    _update(ctx, action, "accepted")
    ctx.session.flush()
    view = action_view(action, ctx.today)
    ctx.reply("actions:accepted", action=view)
    ctx.post("actions:accepted_note", channel=action.meeting.channel, action=view)


@command(
    "done",
    usage="/mdt done A17 [<note>]",
    summary="complete an action",
    example="/mdt done A17 rails fitted, photo shared",
    who="owner, chair",
    aliases=("complete", "completed"),
)
def done(ctx: Context, args: str) -> None:
    """Complete an action, with an optional note."""
    ref, note = first_word(clean_text(args))
    complete_action(ctx, ctx.action(ref), note)


def complete_action(ctx: Context, action: Action, note: str = "") -> None:
    """The owner or chair completes the action, with an optional note."""
    _owner_or_chair(ctx, action, "complete it")
    if action.status == ActionStatus.DONE:
        ctx.fail("already_done", action=action.ref, at=action.completed_at)
    _require_open(ctx, action)
    action.status = ActionStatus.DONE
    action.completed_at = ctx.now
    action.extension_requested = None
    _update(ctx, action, "done", note=note or None)
    late = action.due < ctx.today
    _announce(
        ctx,
        action,
        "actions:done",
        tell_owner=False,
        note=note,
        by=ctx.caller.display_name,
        late=late,
    )


@command(
    "progress",
    usage="/mdt progress A17 <note>",
    summary="add a progress note to an action",
    example="/mdt progress A17 rails ordered, fitter booked for Monday",
    who="owner, chair",
    aliases=("update",),
)
def progress(ctx: Context, args: str) -> None:
    """Add a progress note to an action."""
    ref, note = first_word(clean_text(args))
    add_progress(ctx, ctx.action(ref), note)


def add_progress(ctx: Context, action: Action, note: str) -> None:
    """The owner or chair adds a progress note to the action."""
    _owner_or_chair(ctx, action, "add progress")
    _require_open(ctx, action)
    if not note:
        ctx.fail(
            "progress_needs_note",
            action=action.ref,
            example=f"/mdt progress {action.ref} rails ordered, fitter booked for Monday",
        )
    _update(ctx, action, "progress", note=note)
    ctx.reply("actions:progress", action=action_view(action, ctx.today), note=note)


@command(
    "extend",
    usage="/mdt extend A17 to <when> because <reason> | agree | decline [<reason>]",
    summary="move a due date: the owner asks; the chair agrees (`agree`) or declines (`decline`)",
    example=EXTEND_EXAMPLE,
    who="owner asks, chair agrees",
    aliases=("extension",),
)
def extend(ctx: Context, args: str) -> None:
    """Ask for (owner) or agree (chair) a new due date, keeping the reason."""
    ref, rest = first_word(clean_text(args))
    change_due_date(ctx, ctx.action(ref), rest)


def change_due_date(ctx: Context, action: Action, words: str) -> None:
    """`to <date> because <reason>`, or `agree` / `decline <reason>` to a request."""
    _owner_or_chair(ctx, action, "change its due date")
    _require_open(ctx, action)
    word, after = first_word(words)
    if word.lower() in DECLINE_WORDS:
        answer_extension(ctx, action, agree=False, reason=after.strip())
        return
    if word.lower() in AGREE_WORDS and not after:
        answer_extension(ctx, action, agree=True)
        return
    new_due, reason = _read_extension(ctx, action, words)
    ask_for_time(ctx, action, new_due, reason)


def answer_extension(ctx: Context, action: Action, *, agree: bool, reason: str = "") -> None:
    """The chair agrees, or declines with a reason, the owner's request for more time."""
    _owner_or_chair(ctx, action, "change its due date")
    _require_open(ctx, action)
    is_chair = ctx.caller.id == action.meeting.chair_id
    if agree:
        _agree_asked(ctx, action, is_chair=is_chair)
    else:
        _decline(ctx, action, is_chair=is_chair, reason=reason)


def ask_for_time(ctx: Context, action: Action, new_due: date, reason: str) -> None:
    """A new due date: the chair agrees it at once; the owner asks the chair for it."""
    _owner_or_chair(ctx, action, "change its due date")
    _require_open(ctx, action)
    example = EXTEND_EXAMPLE.replace("A17", action.ref)
    if not reason:
        ctx.fail("extend_needs_reason", action=action.ref, example=example)
    if new_due < ctx.today:
        ctx.fail("due_in_past", due=new_due, example=example)
    if ctx.caller.id == action.meeting.chair_id:
        _agree(ctx, action, new_due, reason)
        return
    action.extension_requested = new_due
    action.extension_reason = reason
    _update(ctx, action, "extension_asked", note=reason, old_due=action.due, new_due=new_due)
    ctx.session.flush()
    view = action_view(action, ctx.today)
    ctx.reply("actions:extension_asked", action=view, chair=action.meeting.chair.display_name)
    from commands.messages import Button  # noqa: PLC0415

    ctx.dm(
        action.meeting.chair,
        "actions:extension_request",
        kind="extension_request",
        buttons=(
            Button("Agree", "extend", action.ref, "agree", "primary"),
            Button("Decline", "extend", action.ref, "decline"),
        ),
        action=view,
        by=ctx.caller.display_name,
    )


def _read_extension(ctx: Context, action: Action, rest: str) -> tuple[date, str]:
    example = EXTEND_EXAMPLE.replace("A17", action.ref)
    when_part, reason = split_word(rest, "because")
    leading, when_text = split_word(when_part, "to")
    if leading or not when_text:
        ctx.fail("usage", usage="/mdt extend A17 to <when> because <reason>", example=example)
    if not reason:
        ctx.fail("extend_needs_reason", action=action.ref, example=example)
    try:
        new_due = parse_date(when_text, ctx.today, ctx.calendar)
    except DateError as error:
        ctx.fail("bad_when", problem=error.message, example=example)
    if new_due < ctx.today:
        ctx.fail("due_in_past", due=new_due, example=example)
    return new_due, reason


def _agree(ctx: Context, action: Action, new_due: date, reason: str) -> None:
    if action.due == new_due and action.extension_requested is None:
        ctx.fail("already_extended", action=action.ref, due=new_due)
    old_due = action.due
    action.due = new_due
    action.time_bound = new_due > ctx.today and ctx.calendar.is_working_day(new_due)
    action.extension_requested = None
    action.extension_reason = None
    _update(ctx, action, "extension", note=reason, old_due=old_due, new_due=new_due)
    _announce(ctx, action, "actions:extended", tell_owner=True, old_due=old_due, reason=reason)


def _agree_asked(ctx: Context, action: Action, *, is_chair: bool) -> None:
    """The chair agrees the date the owner asked for, with the owner's reason."""
    if not is_chair:
        ctx.fail(
            "only_chair",
            meeting=action.meeting.ref,
            chair=action.meeting.chair.display_name,
            doing="agree an extension",
        )
    if action.extension_requested is None:
        ctx.fail("no_extension_asked", action=action.ref)
    if action.extension_requested < ctx.today:
        ctx.fail("due_in_past", due=action.extension_requested, example=EXTEND_EXAMPLE)
    _agree(ctx, action, action.extension_requested, action.extension_reason or "")


def _decline(ctx: Context, action: Action, *, is_chair: bool, reason: str) -> None:
    if not is_chair:
        ctx.fail(
            "only_chair",
            meeting=action.meeting.ref,
            chair=action.meeting.chair.display_name,
            doing="decline an extension",
        )
    if action.extension_requested is None:
        ctx.fail("no_extension_asked", action=action.ref)
    asked = action.extension_requested
    action.extension_requested = None
    action.extension_reason = None
    _update(ctx, action, "extension_declined", note=reason or None, new_due=asked)
    ctx.session.flush()
    view = action_view(action, ctx.today)
    ctx.reply("actions:extension_declined", action=view, asked=asked, reason=reason)
    ctx.dm(action.owner, "actions:extension_declined", action=view, asked=asked, reason=reason)


@command(
    "reassign",
    usage="/mdt reassign A17 to @x",
    summary="give an action to someone else, who is told",
    example="/mdt reassign A17 to @sam",
    who="chair",
    aliases=("transfer",),
)
def reassign(ctx: Context, args: str) -> None:
    """Give an action to another owner."""
    ref, rest = first_word(clean_text(args))
    action = ctx.action(ref)
    if ctx.caller.id != action.meeting.chair_id:
        ctx.fail(
            "only_chair",
            meeting=action.meeting.ref,
            chair=action.meeting.chair.display_name,
            doing="reassign its actions",
        )
    _require_open(ctx, action)
    leading, target = split_word(rest, "to")
    people, extra = split_mentions(ctx, target or "")
    if leading or len(people) != 1 or extra:
        ctx.fail(
            "usage", usage="/mdt reassign A17 to @x", example=f"/mdt reassign {action.ref} to @sam"
        )
    new_owner: Person = people[0]
    if new_owner.id == action.owner_id:
        ctx.fail("same_owner", action=action.ref, owner=new_owner.display_name)
    old_owner = action.owner
    action.owner_id = new_owner.id
    action.accepted = False
    action.extension_requested = None
    _update(ctx, action, "reassignment", old_owner_id=old_owner.id, new_owner_id=new_owner.id)
    ctx.session.flush()
    ctx.session.refresh(action)
    refresh_reminders(ctx.session, action, ctx.now, told_at=ctx.now, calendar=ctx.calendar)
    view = action_view(action, ctx.today)
    meeting = meeting_view(action.meeting, ctx.today)
    ctx.post(
        "actions:reassigned",
        channel=action.meeting.channel,
        action=view,
        old_owner=old_owner.display_name,
    )
    ctx.dm(
        new_owner,
        "actions:assigned",
        kind="action_card",
        buttons=action_buttons(action.ref),
        action=view,
        meeting=meeting,
        by=ctx.caller.display_name,
    )
    ctx.dm(old_owner, "actions:taken_over", action=view)


def cancel_action(ctx: Context, ref: str, rest: str) -> None:
    """`/mdt cancel A17 [circumstances changed|agency did not act] <reason>`: close it undone."""
    action = ctx.action(ref)
    if ctx.caller.id != action.meeting.chair_id:
        ctx.fail(
            "only_chair",
            meeting=action.meeting.ref,
            chair=action.meeting.chair.display_name,
            doing="cancel its actions",
        )
    _require_open(ctx, action)
    lowered = rest.lower()
    kind = next((k for k in REASON_KINDS if lowered.startswith(k)), None)
    reason = rest[len(kind) :].strip(" :,-") if kind else rest.strip()
    if not reason:
        ctx.fail("cancel_needs_reason", action=action.ref, example=CANCEL_EXAMPLE)
    action.status = ActionStatus.CANCELLED
    action.extension_requested = None
    _update(ctx, action, "cancelled", note=reason, reason_kind=kind)
    _announce(ctx, action, "actions:cancelled", tell_owner=True, reason=reason, reason_kind=kind)
