"""Who comes: invitations, the agenda, attending and apologies."""

from __future__ import annotations

import re

from commands.context import Context
from commands.documents.views import meeting_view
from commands.language.grammar import (
    clean_text,
    split_word,
)
from commands.meetings.quorum import missing_sectors
from commands.meetings.series import agenda_texts, outstanding_actions
from commands.people.email_people import split_name_clause
from commands.people.naming import (
    agency_for,
    meeting_buttons,
    require_open,
    split_mentions,
    unique_people,
)
from commands.registry import command
from storage.models import AgendaItem, Invitation, Meeting
from storage.status import MeetingStatus


@command(
    "invite",
    usage="/mdt invite M3 @a [@b ...] [as <role>] [from <agency>]; by email: "
    '/mdt invite M3 name@agency.example [name "Full Name"] [from <agency>] [as <role>]',
    summary="invite people; `as minute-taker` lets them record",
    example="/mdt invite M3 @sam as minute-taker from NHS Community Mental Health",
    who="chair",
)
def invite(ctx: Context, args: str) -> None:
    """Add invitees to a meeting."""
    ref, _, rest = clean_text(args).partition(" ")
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "invite people")
    require_open(ctx, meeting)
    people, tail = split_mentions(ctx, rest)
    if not people:
        ctx.fail("invite_needs_people", ref=meeting.ref)
    tail, display_name = split_name_clause(tail)
    if display_name is not None:
        named = [p for p in unique_people(people) if p.email_only]
        if len(named) != 1 or len(unique_people(people)) != 1:
            ctx.fail("invite_name_one_address", ref=meeting.ref)
        named[0].display_name = display_name
    before_from, agency_name = split_word(tail, "from")
    role: str | None = None
    if before_from:
        leading, role = split_word(before_from, "as")
        if leading or not role:
            ctx.fail("invite_extra", text=before_from, ref=meeting.ref)
    if agency_name and role is None:
        agency_name, role = split_word(agency_name, "as")  # `from <agency> as <role>`
        if role == "":
            ctx.fail("invite_extra", text="as", ref=meeting.ref)
    if agency_name == "":
        ctx.fail("invite_extra", text="from", ref=meeting.ref)
    if role and role.lower() == "chair":
        ctx.fail("use_handover", meeting=meeting.ref)
    agency = agency_for(ctx, agency_name) if agency_name else None
    added, already = [], []
    for person in unique_people(people):
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
    reads=("{meeting}",),
)
def agenda(ctx: Context, args: str) -> None:
    """Add an item to a meeting's agenda, or show the agenda."""
    meeting, item = ctx.meeting_or_running(clean_text(args), "/mdt agenda M3 <item>")
    add_agenda_item(ctx, meeting, item)


def add_agenda_item(ctx: Context, meeting: Meeting, item: str) -> None:
    """An invitee adds an item to the agenda; with no item, the agenda is shown."""
    ctx.require_invitee(meeting, "add to its agenda" if item else "see its agenda")
    view = meeting_view(meeting, ctx.today)
    if not item:
        ctx.reply("meeting:agenda", meeting=view, items=agenda_texts(meeting, ctx.today))
        return
    require_open(ctx, meeting)
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
    attend_meeting(ctx, ctx.meeting(args.strip()))


def attend_meeting(ctx: Context, meeting: Meeting) -> None:
    """The caller, an invitee, will attend (or, once it has started, is here)."""
    invitation = ctx.invitation(meeting, ctx.caller)
    owned = []
    if invitation is None:
        # Whoever owns an action carried to this meeting (handed to them since) may come.
        owned = [
            a.ref for a in outstanding_actions(ctx.session, meeting) if a.owner_id == ctx.caller.id
        ]
        if not owned or meeting.status in {MeetingStatus.ENDED, MeetingStatus.CANCELLED}:
            ctx.fail(
                "only_invitees",
                meeting=meeting.ref,
                chair=meeting.chair.display_name,
                doing="attend",
            )
        invitation = Invitation(meeting_id=meeting.id, person_id=ctx.caller.id)
        ctx.session.add(invitation)
        ctx.session.flush()
        ctx.session.refresh(meeting)
    require_open(ctx, meeting)
    invitation.rsvp = "attending"
    invitation.apology_reason = None
    if meeting.status == MeetingStatus.RUNNING:
        invitation.attended = True
    ctx.reply(
        "meeting:attending",
        meeting=meeting_view(meeting, ctx.today),
        running=meeting.status == MeetingStatus.RUNNING,
        owned=owned,
    )
    if owned:
        ctx.dm(
            meeting.chair,
            "meeting:owner_joins",
            meeting=meeting_view(meeting, ctx.today),
            person=ctx.caller.display_name,
            owned=owned,
        )
    if (
        meeting.status == MeetingStatus.RUNNING
        and meeting.quorate is False
        and not missing_sectors(meeting)
    ):
        meeting.quorate = True
        ctx.post(
            "meeting:now_quorate",
            channel=meeting.channel,
            meeting=meeting_view(meeting, ctx.today),
            person=ctx.caller.display_name,
        )


SENT_REPORT = re.compile(r"(?i)(?:^|[\s,;])(?:and\s+)?sent\s+(?:a\s+|the\s+|my\s+|our\s+)?report\b")


def _sent_report(text: str) -> tuple[str, bool]:
    """`... sent report` (anywhere): the agency sent its information; the words come out."""
    match = SENT_REPORT.search(text)
    if not match:
        return text, False
    return f"{text[: match.start()]} {text[match.end() :]}".strip(" ,;"), True


@command(
    "apologies",
    usage="/mdt apologies M3 [<reason>] [deputy @x] [sent report]",
    summary="send apologies, naming a deputy if one attends for you, and whether you sent a report",
    example="/mdt apologies M3 on leave deputy @jo",
    who="invitees",
    aliases=("apology", "apologise", "no"),
)
def apologies(ctx: Context, args: str) -> None:
    """Send apologies, with a reason and an optional deputy."""
    ref, _, rest = clean_text(args).partition(" ")
    apologies_in_words(ctx, ctx.meeting(ref), rest)


def apologies_in_words(ctx: Context, meeting: Meeting, words: str) -> None:
    """Apologies as a person words them: `<reason> [deputy @x] [sent report]`."""
    words, sent_report = _sent_report(words)
    reason, deputy_text = split_word(words, "deputy")
    send_apologies(ctx, meeting, reason, deputy_text, sent_report=sent_report)


def send_apologies(
    ctx: Context,
    meeting: Meeting,
    reason: str,
    deputy_text: str | None = None,
    *,
    sent_report: bool = False,
) -> None:
    """The caller, an invitee, sends apologies with a reason, naming a deputy if one comes."""
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
    require_open(ctx, meeting)
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
    invitation.sent_report = sent_report
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
        sent_report=sent_report,
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
            sent_report=sent_report,
            deputy=deputy.display_name if deputy else None,
        )
