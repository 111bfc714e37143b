"""Scheduling meetings: new, list, show, move and cancel."""

from __future__ import annotations

from datetime import UTC
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from commands.actions.follow_up import cancel_action
from commands.context import Context
from commands.documents.views import meeting_view
from commands.governance.visibility import may_see
from commands.language.dates import (
    DateError,
    parse_date,
    parse_duration,
    parse_interval,
    parse_time,
    parse_when,
)
from commands.language.grammar import (
    ClauseKind,
    action_number,
    clean_text,
    decision_number,
    first_word,
    read_case_ref,
    read_word,
    scan_clauses,
    split_word,
)
from commands.meetings.scheduling import (
    NEW_EXAMPLE,
    NewMeeting,
    schedule_meeting,
    schedule_next_occurrence,
    tell_invitees,
)
from commands.meetings.series import INTERVAL_EXAMPLE, interval_problem
from commands.meetings.venue import venue_clause
from commands.people.naming import (
    DATE_STARTERS,
    read_mentions,
)
from commands.record.lookup import show_action, show_decision
from commands.registry import command
from storage.models import Meeting
from storage.queries import load_meeting_in_full


def _new_clause_kinds(ctx: Context) -> list[ClauseKind]:
    def date_of(words: list[str]) -> object:
        return parse_date(" ".join(words), ctx.today, ctx.calendar)

    kinds = [
        ClauseKind("date", frozenset({"on"}), date_of),
        ClauseKind("date", DATE_STARTERS, date_of, keep_starter=True),
        ClauseKind("time", frozenset({"at"}), lambda w: parse_time(" ".join(w))),
        ClauseKind("duration", frozenset({"for"}), lambda w: parse_duration(" ".join(w))),
        ClauseKind("type", frozenset({"type"}), read_word),
        ClauseKind("case", frozenset({"case"}), read_case_ref),
        ClauseKind(
            "every",
            frozenset({"every", "weekly", "monthly", "fortnightly"}),
            lambda w: parse_interval(" ".join(w)),
            keep_starter=True,
        ),
        ClauseKind("with", frozenset({"with"}), partial(read_mentions, ctx)),
    ]
    return [*kinds, venue_clause(lambda: kinds)]


def _stopped_at(failures: list[tuple[str, str, str]]) -> str | None:
    """Why the clause scan stopped: the error of the shortest span that did not read."""
    return failures[-1][2] if failures else None


@command(
    "new",
    usage="/mdt new <title> [on <date>] [at <time>] [for <duration>] [type <type>] "
    "[case <ref>] [every <interval>] [where <venue or dial-in>] [with @a @b ...]",
    summary="schedule a meeting, with you as chair",
    example=NEW_EXAMPLE,
    aliases=("schedule", "create"),
)
def new(ctx: Context, args: str) -> None:
    """Schedule a meeting and invite people."""
    text = clean_text(args, what="the meeting details")
    text, again = _again(text)
    found = scan_clauses(text.split(), _new_clause_kinds(ctx))
    values = found.values
    if problem := interval_problem(found):
        ctx.fail("bad_interval", problem=problem, example=INTERVAL_EXAMPLE)
    meeting = schedule_meeting(
        ctx,
        NewMeeting(
            title=found.head_text,
            day=values.get("date"),
            start=values.get("time"),
            length=values.get("duration"),
            kind=values.get("type"),
            case=values.get("case"),
            every=values.get("every"),
            venue=values.get("where"),
            invitees=tuple(values.get("with", [])),
            problem=_stopped_at(found.failures),
            again=again,
        ),
    )
    warn_non_working_day(ctx, meeting)


def warn_non_working_day(ctx: Context, meeting: Meeting) -> None:
    """Tell the chair, privately, when a meeting falls on a weekend or a bank holiday."""
    day = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone)).date()
    if ctx.calendar.is_working_day(day):
        return
    ctx.reply(
        "meeting:non_working_day",
        meeting=meeting_view(meeting, ctx.today),
        day=day,
        holiday=ctx.calendar.holiday_name(day),
        next_working=ctx.calendar.next_working_day(day),
    )


def _again(text: str) -> tuple[str, bool]:
    """A trailing `again` books a meeting that looks like one already booked."""
    words = text.split()
    if len(words) > 1 and words[-1].lower() == "again":
        return " ".join(words[:-1]), True
    return text, False


@command(
    "list",
    usage="/mdt list [upcoming|past|mine]",
    summary="meetings in this channel, or yours",
    example="/mdt list mine",
    aliases=("meetings",),
    reads=("", "upcoming", "past", "mine"),
)
def list_meetings(ctx: Context, args: str) -> None:
    """List meetings in this channel (upcoming by default), or the caller's."""
    which = args.strip().lower() or "upcoming"
    if which not in {"upcoming", "past", "mine"}:
        ctx.fail(
            "bad_choice", given=args, choices=["upcoming", "past", "mine"], example="/mdt list past"
        )
    _list_meetings(ctx, which)


def my_meetings(ctx: Context) -> None:
    """The meetings the caller chairs or is invited to (`/mdt list mine`, the Slack Home tab)."""
    _list_meetings(ctx, "mine")


def _list_meetings(ctx: Context, which: str) -> None:
    query = select(Meeting).where(Meeting.workspace_id == ctx.workspace.id, may_see(ctx.caller.id))
    if which != "mine":
        query = query.where(Meeting.channel == ctx.request.channel)
    if which == "past":
        query = query.where(
            or_(Meeting.status.in_(("ended", "cancelled")), Meeting.ends_at < ctx.now)
        ).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    else:
        query = query.where(
            Meeting.status.in_(("scheduled", "running")), Meeting.ends_at >= ctx.now
        ).order_by(Meeting.starts_at, Meeting.id)
    meetings = ctx.session.scalars(query.limit(50)).all()
    ctx.reply(
        "meeting:listing",
        which=which,
        channel=ctx.request.channel,
        meetings=[meeting_view(m, ctx.today) for m in meetings],
    )


@command(
    "show",
    usage="/mdt show M3|D4|A17",
    summary="everything about one meeting; one decision; one action with its whole history",
    example="/mdt show M3",
    who="invitees",
    reads=("{meeting}", "{action}", "{decision}"),
)
def show(ctx: Context, args: str) -> None:
    """Show one meeting, one decision (D4) or one action with its history (A17)."""
    ref = args.strip()
    if not ref or len(ref.split()) != 1:
        ctx.fail("usage", usage="/mdt show M3|D4|A17", example="/mdt show M3")
    if action_number(ref) is not None:
        show_action(ctx, ref)
        return
    if decision_number(ref) is not None:
        show_decision(ctx, ref)
        return
    meeting = ctx.meeting(ref)
    ctx.require_invitee(meeting, "see it")
    full = load_meeting_in_full(ctx.session, meeting.id)
    ctx.reply("meeting:show", meeting=meeting_view(full, ctx.today, full=True))


@command(
    "move",
    usage="/mdt move M3 to <when>",
    summary="reschedule a meeting; invitees are told",
    example="/mdt move M3 to next tuesday at 14:00",
    who="chair",
    aliases=("reschedule",),
)
def move(ctx: Context, args: str) -> None:
    """Move a meeting to another date and time, keeping its length."""
    ref, _, rest = clean_text(args).partition(" ")
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "move it")
    ctx.require_unlocked(meeting, "move it")
    if meeting.status != "scheduled":
        ctx.fail("cannot_move", meeting=meeting.ref, status=meeting.status)
    leading, when_text = split_word(rest, "to")
    if leading or not when_text:
        ctx.fail("usage", usage="/mdt move M3 to <when>", example="/mdt move M3 to friday at 14:00")
    zone = ZoneInfo(meeting.timezone)
    old_time = meeting.starts_at.astimezone(zone).time()
    try:
        starts_at = parse_when(when_text, ctx.now, zone, ctx.calendar, default_time=old_time)
    except DateError as error:
        ctx.fail("bad_when", problem=error.message, example="/mdt move M3 to friday at 14:00")
    if starts_at <= ctx.now:
        ctx.fail("in_the_past", when=starts_at, example="/mdt move M3 to friday at 14:00")
    length = meeting.ends_at - meeting.starts_at
    old_view = meeting_view(meeting, ctx.today)
    meeting.starts_at = starts_at.astimezone(UTC)
    meeting.ends_at = (starts_at + length).astimezone(UTC)
    meeting.sequence += 1
    tell_invitees(ctx, meeting, "meeting:moved", previous=old_view)
    warn_non_working_day(ctx, meeting)


@command(
    "cancel",
    usage=(
        "/mdt cancel M3 [series] [<reason>] | "
        "/mdt cancel A17 [circumstances changed|agency did not act] <reason>"
    ),
    summary=(
        "cancel a meeting (a series goes on unless you say `series`), "
        "or close an action undone, with the reason"
    ),
    example="/mdt cancel M3 the person has moved out of area",
    who="chair",
)
def cancel(ctx: Context, args: str) -> None:
    """Cancel a scheduled meeting, or close an action undone."""
    ref, _, reason = clean_text(args).partition(" ")
    if action_number(ref) is not None:
        cancel_action(ctx, ref, reason)
        return
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "cancel it")
    ctx.require_unlocked(meeting, "cancel it")
    if meeting.status != "scheduled":
        ctx.fail("cannot_cancel", meeting=meeting.ref, status=meeting.status)
    word, rest = first_word(reason)
    whole_series = word.lower() == "series" and meeting.series_interval is not None
    if whole_series:
        reason = rest
    meeting.status = "cancelled"
    meeting.sequence += 1
    tell_invitees(
        ctx, meeting, "meeting:cancelled", reason=reason or None, series_ended=whole_series
    )
    if not whole_series:
        schedule_next_occurrence(ctx, meeting)
