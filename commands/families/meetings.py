"""Scheduling and running meetings: new, list, show, invite, agenda, RSVP, start, end."""

from __future__ import annotations

from datetime import UTC, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from commands.context import Context
from commands.dates import (
    DateError,
    parse_date,
    parse_duration,
    parse_interval,
    parse_time,
    parse_when,
)
from commands.families.reviews import meeting_ended
from commands.families.scheduling import (
    allocate_meeting_number,
    announce_meeting,
    invite_file,
    schedule_next_occurrence,
)
from commands.families.shared import (
    DATE_STARTERS,
    agency_for,
    meeting_buttons,
    read_mentions,
    split_mentions,
)
from commands.grammar import (
    MAX_TITLE,
    ClauseKind,
    clean_text,
    first_word,
    nearest,
    read_case_ref,
    read_word,
    scan_clauses,
    split_word,
)
from commands.meeting_types import meeting_types
from commands.messages import Attachment
from commands.registry import command
from commands.series import INTERVAL_EXAMPLE, begin_series, carry_forward, interval_problem
from commands.views import meeting_view
from storage.models import AgendaItem, Invitation, Meeting, Person
from storage.queries import load_meeting_in_full

DEFAULT_LENGTH = timedelta(hours=1)
NEW_EXAMPLE = (
    "/mdt new Strategy discussion case AB-1234 on next tuesday at 10:00 type strategy with @sam"
)
FORMATS = {"txt": "text/plain", "md": "text/markdown", "html": "text/html"}


def _new_clause_kinds(ctx: Context) -> list[ClauseKind]:
    def date_of(words: list[str]) -> object:
        return parse_date(" ".join(words), ctx.today, ctx.calendar)

    return [
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


def _stopped_at(failures: list[tuple[str, str, str]]) -> str | None:
    """Why the clause scan stopped: the error of the shortest span that did not read."""
    return failures[-1][2] if failures else None


@command(
    "new",
    usage="/mdt new <title> [on <date>] [at <time>] [for <duration>] [type <type>] "
    "[case <ref>] [every <interval>] [with @a @b ...]",
    summary="schedule a meeting, with you as chair",
    example=NEW_EXAMPLE,
    aliases=("schedule", "create"),
)
def new(ctx: Context, args: str) -> None:
    """Schedule a meeting and invite people."""
    text = clean_text(args, what="the meeting details")
    found = scan_clauses(text.split(), _new_clause_kinds(ctx))
    values = found.values
    title = found.head_text
    if problem := interval_problem(found):
        ctx.fail("bad_interval", problem=problem, example=INTERVAL_EXAMPLE)
    if not title:
        ctx.fail("new_needs_title", example=NEW_EXAMPLE)
    if len(title) > MAX_TITLE:
        ctx.fail("too_long", what="the title", limit=MAX_TITLE, length=len(title))
    if "date" not in values:
        ctx.fail("new_needs_date", problem=_stopped_at(found.failures), example=NEW_EXAMPLE)
    if "time" not in values:
        ctx.fail("new_needs_time", problem=_stopped_at(found.failures), example=NEW_EXAMPLE)
    kind = None
    if "type" in values:
        kind = meeting_types().get(values["type"])
        if kind is None:
            ctx.fail(
                "unknown_type",
                name=values["type"],
                guess=nearest(values["type"], meeting_types()),
                types=sorted(meeting_types()),
            )
    zone = ctx.zone
    starts_at = parse_when(
        f"{values['date'].isoformat()} {values['time'].strftime('%H:%M')}",
        ctx.now,
        zone,
        ctx.calendar,
    )
    if starts_at <= ctx.now:
        ctx.fail("in_the_past", when=starts_at, example=NEW_EXAMPLE)
    length = values.get("duration") or (kind.default_length if kind else DEFAULT_LENGTH)
    number = allocate_meeting_number(ctx)
    meeting = Meeting(
        workspace_id=ctx.workspace.id,
        number=number,
        title=title,
        case_ref=values.get("case"),
        meeting_type=kind.name if kind else None,
        chair_id=ctx.caller.id,
        starts_at=starts_at.astimezone(UTC),
        ends_at=(starts_at + length).astimezone(UTC),
        timezone=str(zone),
        status="scheduled",
        channel=ctx.request.channel,
        series_interval=values["every"].describe() if "every" in values else None,
        sequence=0,
        created_at=ctx.now,
    )
    ctx.session.add(meeting)
    ctx.session.flush()
    ctx.session.add(
        Invitation(meeting_id=meeting.id, person_id=ctx.caller.id, role="chair", rsvp="attending")
    )
    for position, item in enumerate(kind.agenda if kind else (), 1):
        ctx.session.add(AgendaItem(meeting_id=meeting.id, position=position, text=item))
    invitees = [p for p in values.get("with", []) if p.id != ctx.caller.id]
    for person in _unique(invitees):
        ctx.session.add(Invitation(meeting_id=meeting.id, person_id=person.id))
    ctx.session.flush()
    begin_series(meeting)
    carry_forward(ctx.session, meeting, ctx.today)
    announce_meeting(ctx, meeting, _unique(invitees))


def _unique(people: list[Person]) -> list[Person]:
    seen: dict[int, Person] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())


@command(
    "list",
    usage="/mdt list [upcoming|past|mine]",
    summary="meetings in this channel, or yours",
    example="/mdt list mine",
    aliases=("meetings",),
)
def list_meetings(ctx: Context, args: str) -> None:
    """List meetings in this channel (upcoming by default), or the caller's."""
    which = args.strip().lower() or "upcoming"
    if which not in {"upcoming", "past", "mine"}:
        ctx.fail(
            "bad_choice", given=args, choices=["upcoming", "past", "mine"], example="/mdt list past"
        )
    query = select(Meeting).where(Meeting.workspace_id == ctx.workspace.id)
    if which == "mine":
        invited = select(Invitation.meeting_id).where(Invitation.person_id == ctx.caller.id)
        query = query.where(or_(Meeting.chair_id == ctx.caller.id, Meeting.id.in_(invited)))
    else:
        query = query.where(Meeting.channel == ctx.request.channel)
    if which == "past":
        query = query.where(
            or_(Meeting.status.in_(("ended", "cancelled")), Meeting.ends_at < ctx.now)
        ).order_by(Meeting.starts_at.desc())
    else:
        query = query.where(
            Meeting.status.in_(("scheduled", "running")), Meeting.ends_at >= ctx.now
        ).order_by(Meeting.starts_at)
    meetings = ctx.session.scalars(query.limit(50)).all()
    ctx.reply(
        "meeting:listing",
        which=which,
        channel=ctx.request.channel,
        meetings=[meeting_view(m, ctx.today) for m in meetings],
    )


@command(
    "show",
    usage="/mdt show M3",
    summary="everything about one meeting",
    example="/mdt show M3",
    who="invitees",
)
def show(ctx: Context, args: str) -> None:
    """Show one meeting: agenda, attendance by agency, decisions, actions."""
    ref = args.strip()
    if not ref or len(ref.split()) != 1:
        ctx.fail("usage", usage="/mdt show M3", example="/mdt show M3")
    meeting = ctx.meeting(ref)
    ctx.require_invitee(meeting, "see it")
    full = load_meeting_in_full(ctx.session, meeting.id)
    ctx.reply("meeting:show", meeting=meeting_view(full, ctx.today, full=True))


@command(
    "invite",
    usage="/mdt invite M3 @a [@b ...] [as <role>] [from <agency>]",
    summary="invite people; `as minute-taker` lets them record",
    example="/mdt invite M3 @sam as minute-taker from NHS Community Mental Health",
    who="chair",
)
def invite(ctx: Context, args: str) -> None:
    """Add invitees to a meeting."""
    ref, _, rest = clean_text(args).partition(" ")
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "invite people")
    _require_open(ctx, meeting)
    people, tail = split_mentions(ctx, rest)
    if not people:
        ctx.fail("invite_needs_people", ref=meeting.ref)
    before_from, agency_name = split_word(tail, "from")
    role: str | None = None
    if before_from:
        leading, role = split_word(before_from, "as")
        if leading or not role:
            ctx.fail("invite_extra", text=before_from, ref=meeting.ref)
    if agency_name == "":
        ctx.fail("invite_extra", text="from", ref=meeting.ref)
    agency = agency_for(ctx, agency_name) if agency_name else None
    added, already = [], []
    for person in _unique(people):
        if agency is not None:
            person.agency_id = agency.id
        if role and role.lower() != "minute-taker" and not person.role:
            person.role = role
        invitation = ctx.invitation(meeting, person)
        if invitation is None:
            invitation = Invitation(meeting_id=meeting.id, person_id=person.id)
            ctx.session.add(invitation)
            meeting.invitations.append(invitation)
            added.append(person)
        else:
            already.append(person)
        if role and role.lower() == "minute-taker" and invitation.role != "chair":
            invitation.role = "minute-taker"
    ctx.session.flush()
    view = meeting_view(meeting, ctx.today)
    ctx.reply(
        "meeting:invite_done",
        meeting=view,
        added=[p.display_name for p in added],
        already=[p.display_name for p in already],
        role=role,
    )
    for person in added:
        ctx.dm(
            person,
            "meeting:invited",
            kind="invitation",
            buttons=meeting_buttons(meeting.ref),
            meeting=view,
            role=role,
        )


@command(
    "agenda",
    usage="/mdt agenda M3 [<item>]",
    summary="add an agenda item, or list the agenda",
    example="/mdt agenda M3 Adaptations needed at the flat",
    who="invitees",
)
def agenda(ctx: Context, args: str) -> None:
    """Add an item to a meeting's agenda, or show the agenda."""
    meeting, item = ctx.meeting_or_running(clean_text(args), "/mdt agenda M3 <item>")
    ctx.require_invitee(meeting, "add to its agenda" if item else "see its agenda")
    view = meeting_view(meeting, ctx.today)
    if not item:
        ctx.reply("meeting:agenda", meeting=view, items=[a.text for a in meeting.agenda])
        return
    _require_open(ctx, meeting)
    position = len(meeting.agenda) + 1
    ctx.session.add(
        AgendaItem(meeting_id=meeting.id, position=position, text=item, added_by_id=ctx.caller.id)
    )
    ctx.confirm("meeting:agenda_added", meeting=view, item=item, position=position)


@command(
    "attend",
    usage="/mdt attend M3",
    summary="say you will attend (or, once started, that you are here)",
    example="/mdt attend M3",
    who="invitees",
    aliases=("yes", "rsvp"),
)
def attend(ctx: Context, args: str) -> None:
    """Accept an invitation; during the meeting, mark yourself present."""
    meeting = ctx.meeting(args.strip())
    invitation = ctx.invitation(meeting, ctx.caller)
    if invitation is None:
        ctx.fail(
            "only_invitees", meeting=meeting.ref, chair=meeting.chair.display_name, doing="attend"
        )
    _require_open(ctx, meeting)
    invitation.rsvp = "attending"
    invitation.apology_reason = None
    if meeting.status == "running":
        invitation.attended = True
    ctx.reply(
        "meeting:attending",
        meeting=meeting_view(meeting, ctx.today),
        running=meeting.status == "running",
    )
    if meeting.status == "running" and meeting.quorate is False and not missing_sectors(meeting):
        meeting.quorate = True
        ctx.post(
            "meeting:now_quorate",
            channel=meeting.channel,
            meeting=meeting_view(meeting, ctx.today),
            person=ctx.caller.display_name,
        )


@command(
    "apologies",
    usage="/mdt apologies M3 [<reason>] [deputy @x]",
    summary="send apologies, naming a deputy if one attends for you",
    example="/mdt apologies M3 on leave deputy @jo",
    who="invitees",
    aliases=("apology", "apologise", "no"),
)
def apologies(ctx: Context, args: str) -> None:
    """Send apologies, with a reason and an optional deputy."""
    ref, _, rest = clean_text(args).partition(" ")
    meeting = ctx.meeting(ref)
    invitation = ctx.invitation(meeting, ctx.caller)
    if invitation is None:
        ctx.fail(
            "only_invitees",
            meeting=meeting.ref,
            chair=meeting.chair.display_name,
            doing="send apologies",
        )
    if invitation.role == "chair":
        ctx.fail("chair_apologies", meeting=meeting.ref)
    _require_open(ctx, meeting)
    reason, deputy_text = split_word(rest, "deputy")
    deputy = None
    if deputy_text is not None:
        deputies, extra = split_mentions(ctx, deputy_text)
        if len(deputies) != 1 or extra:
            ctx.fail("deputy_one_person", example="/mdt apologies M3 on leave deputy @jo")
        deputy = deputies[0]
        if deputy.id == ctx.caller.id:
            ctx.fail("deputy_one_person", example="/mdt apologies M3 on leave deputy @jo")
    invitation.rsvp = "apologies"
    invitation.attended = False
    invitation.apology_reason = reason or None
    view = meeting_view(meeting, ctx.today)
    if deputy is not None:
        deputy_invitation = ctx.invitation(meeting, deputy)
        if deputy_invitation is None:
            deputy_invitation = Invitation(meeting_id=meeting.id, person_id=deputy.id)
            ctx.session.add(deputy_invitation)
        deputy_invitation.deputy_for_id = ctx.caller.id
        ctx.dm(
            deputy,
            "meeting:deputy_asked",
            kind="invitation",
            buttons=meeting_buttons(meeting.ref),
            meeting=view,
            principal=ctx.caller.display_name,
        )
    ctx.reply(
        "meeting:apologies_sent",
        meeting=view,
        reason=reason,
        deputy=deputy.display_name if deputy else None,
    )
    if meeting.chair_id != ctx.caller.id:
        ctx.dm(
            meeting.chair,
            "meeting:apologies_to_chair",
            meeting=view,
            person=ctx.caller.display_name,
            reason=reason,
            deputy=deputy.display_name if deputy else None,
        )


def _require_open(ctx: Context, meeting: Meeting) -> None:
    if meeting.status in {"ended", "cancelled"}:
        ctx.fail("meeting_closed", meeting=meeting.ref, status=meeting.status)


def missing_sectors(meeting: Meeting) -> list[str]:
    """Required sectors with nobody present (a deputy counts for the person they stand in for)."""
    kind = meeting_types().get(meeting.meeting_type or "")
    if kind is None:
        return []
    present: set[str] = set()
    for invitation in meeting.invitations:
        if not invitation.attended:
            continue
        for person in (invitation.person, invitation.deputy_for):
            if person is not None and person.agency is not None:
                present.add(person.agency.sector)
    return [s for s in kind.required_sectors if s not in present]


@command(
    "start",
    usage="/mdt start M3",
    summary="open the meeting here; lines starting decision:/action:/agenda:/note: are recorded",
    example="/mdt start M3",
    who="chair",
    aliases=("open", "begin"),
)
def start(ctx: Context, args: str) -> None:
    """Open a meeting in this channel and warn when it is not quorate."""
    meeting = ctx.meeting(args.strip())
    ctx.require_chair(meeting, "start it")
    if meeting.status != "scheduled":
        ctx.fail("cannot_start", meeting=meeting.ref, status=meeting.status)
    for invitation in meeting.invitations:
        invitation.attended = invitation.rsvp == "attending"
    missing = missing_sectors(meeting)
    meeting.status = "running"
    meeting.channel = ctx.request.channel
    meeting.started_at = ctx.now
    meeting.quorate = not missing
    ctx.session.flush()
    carry_forward(ctx.session, meeting, ctx.today)
    full = load_meeting_in_full(ctx.session, meeting.id)
    ctx.post(
        "meeting:started",
        kind="meeting_started",
        meeting=meeting_view(full, ctx.today, full=True),
        missing=missing,
        meta={"thread_root_for": meeting.ref},
    )


@command(
    "end",
    usage="/mdt end [M3]",
    summary="close the meeting and post the minutes",
    example="/mdt end M3",
    who="chair",
    aliases=("close", "finish"),
)
def end(ctx: Context, args: str) -> None:
    """Close a running meeting and post its minutes to the channel."""
    meeting, rest = ctx.meeting_or_running(args, "/mdt end M3")
    if rest:
        ctx.fail("usage", usage="/mdt end [M3]", example="/mdt end M3")
    ctx.require_chair(meeting, "end it")
    if meeting.status != "running":
        ctx.fail("not_running", meeting=meeting.ref, status=meeting.status)
    meeting.status = "ended"
    meeting.closed_at = ctx.now
    ctx.session.flush()
    full = load_meeting_in_full(ctx.session, meeting.id)
    ctx.post(
        "minutes.txt.j2",
        channel=meeting.channel,
        kind="minutes",
        meeting=meeting_view(full, ctx.today, full=True),
    )
    meeting_ended(ctx, full)


@command(
    "minutes",
    usage="/mdt minutes M3 [md|html|txt]",
    summary="the minutes again, in a format",
    example="/mdt minutes M3 html",
    who="invitees",
)
def minutes(ctx: Context, args: str) -> None:
    """Send the minutes of a meeting to the caller in a format."""
    parts = args.split()
    if not parts or len(parts) > 2:
        ctx.fail("usage", usage="/mdt minutes M3 [md|html|txt]", example="/mdt minutes M3 html")
    meeting = ctx.meeting(parts[0])
    ctx.require_invitee(meeting, "read its minutes")
    fmt = parts[1].lower() if len(parts) == 2 else "txt"
    if fmt not in FORMATS:
        ctx.fail("bad_choice", given=fmt, choices=list(FORMATS), example="/mdt minutes M3 html")
    from commands.documents import render_document  # noqa: PLC0415

    full = load_meeting_in_full(ctx.session, meeting.id)
    view = meeting_view(full, ctx.today, full=True)
    document = render_document(f"minutes.{fmt}.j2", meeting=view, zone=ctx.zone)
    attachment = Attachment(f"{meeting.ref}-minutes.{fmt}", document.encode(), FORMATS[fmt])
    template = "minutes.txt.j2" if fmt == "txt" else "meeting:minutes_file"
    ctx.reply(template, attachments=(attachment,), kind="minutes", meeting=view, fmt=fmt)


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
    _tell_invitees(ctx, meeting, "meeting:moved", previous=old_view)


@command(
    "cancel",
    usage="/mdt cancel M3 [series] [<reason>]",
    summary="cancel a meeting; invitees are told; a series goes on unless you say `series`",
    example="/mdt cancel M3 the person has moved out of area",
    who="chair",
)
def cancel(ctx: Context, args: str) -> None:
    """Cancel a scheduled meeting."""
    ref, _, reason = clean_text(args).partition(" ")
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "cancel it")
    if meeting.status != "scheduled":
        ctx.fail("cannot_cancel", meeting=meeting.ref, status=meeting.status)
    word, rest = first_word(reason)
    whole_series = word.lower() == "series" and meeting.series_interval is not None
    if whole_series:
        reason = rest
    meeting.status = "cancelled"
    meeting.sequence += 1
    _tell_invitees(
        ctx, meeting, "meeting:cancelled", reason=reason or None, series_ended=whole_series
    )
    if not whole_series:
        schedule_next_occurrence(ctx, meeting)


def _tell_invitees(ctx: Context, meeting: Meeting, template: str, **context: Any) -> None:
    ctx.session.flush()
    view = meeting_view(meeting, ctx.today)
    attachment = invite_file(meeting)
    ctx.post(
        template,
        channel=meeting.channel,
        attachments=(attachment,),
        meta={"meeting": meeting.ref},
        meeting=view,
        **context,
    )
    for invitation in meeting.invitations:
        if invitation.person_id != ctx.caller.id:
            ctx.dm(invitation.person, template, meeting=view, **context)
