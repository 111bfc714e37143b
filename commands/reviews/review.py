"""`/mdt review`: KEEP / STOP / START after a meeting; data-informed series and period reviews."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from commands.actions.record import due_date, owner_named, record_action
from commands.context import Context
from commands.documents.render import render_document
from commands.documents.views import meeting_view
from commands.language.dates import DateError, parse_date
from commands.language.grammar import clean_text, first_word, meeting_number, nearest, split_word
from commands.meetings.scheduling import schedule_next_occurrence
from commands.messages import Attachment
from commands.registry import command
from commands.reviews.insights import insights_for, period_meetings, series_meetings
from commands.reviews.meeting_review import (
    KINDS,
    attendees,
    close_review,
    items_of_kind,
    open_review,
    review_buttons,
    review_of,
    review_view,
)
from storage.models import Action, Meeting, Review, ReviewItem
from storage.status import ReviewStatus

USAGE = (
    "/mdt review M3 keep|stop|start <text> | /mdt review M3 [close] | "
    "/mdt review M3 start-action <n> @owner by <when> | /mdt review series M3 | "
    "/mdt review period [from <date>] [to <date>]"
)
EXAMPLE = "/mdt review M3 start joint home visits with housing before discharge"
START_ACTION_EXAMPLE = "/mdt review M3 start-action 2 @sam by 26/2/2027 measure visit notes shared"
PERIOD_EXAMPLE = "/mdt review period from 1/1/2027 to 31/3/2027"


def meeting_ended(ctx: Context, meeting: Meeting) -> None:
    """After `/mdt end`: open the review, ask each attendee, and schedule the series' next one."""
    review = open_review(ctx.session, meeting, ctx.now, ctx.calendar)
    people = attendees(meeting)
    view = meeting_view(meeting, ctx.today)
    ctx.post(
        "reviews:opened",
        channel=meeting.channel,
        meeting=view,
        closes_at=review.closes_at,
        asked=len(people),
    )
    for person in people:
        ctx.dm(
            person,
            "reviews:ask",
            kind="review_request",
            buttons=review_buttons(meeting.ref),
            meeting=view,
            closes_at=review.closes_at,
        )
    schedule_next_occurrence(ctx, meeting)


@command(
    "review",
    usage=USAGE,
    summary="KEEP / STOP / START after a meeting: add an item (attendees), see or close the "
    "review, turn a START item into an action (chair); `series M3` or `period` add what the "
    "records show",
    example=EXAMPLE,
    who="attendees add; the chair sees, closes and reviews a series or period",
    aliases=("reviews", "retro"),
    reads=(
        "{meeting}",
        "series {meeting}",
        "period",
        "period from 1/1/2020",
        "period to 31/12/2030",
    ),
)
def review(ctx: Context, args: str) -> None:
    """Add to, show or close a meeting's review; or review a series or a period."""
    text = clean_text(args)
    head, rest = first_word(text)
    if head.lower() == "series":
        _series(ctx, rest)
        return
    if head.lower() == "period":
        _period(ctx, rest)
        return
    if meeting_number(head) is None:
        guess = nearest(head, ["series", "period"]) if head else None
        if guess is not None:
            line_example = f"/mdt review {guess} {rest}".strip()
            ctx.fail("review_did_you_mean", given=head, guess=guess, line=line_example)
        ctx.fail("usage", usage=USAGE, example=EXAMPLE)
    meeting = ctx.meeting(head)
    word, body = first_word(rest)
    word = word.lower().rstrip(":")
    if not word:
        _show(ctx, meeting)
    elif word == "close":
        if body:
            ctx.fail("usage", usage=f"/mdt review {meeting.ref} close", example=EXAMPLE)
        _close(ctx, meeting)
    elif word in KINDS:
        add_review_item(ctx, meeting, word, body)
    elif word in {"start-action", "action"}:
        _start_action(ctx, meeting, body)
    else:
        guess = nearest(word, [*KINDS, "close", "start-action"])
        if guess is None:
            ctx.fail("usage", usage=USAGE, example=EXAMPLE)
        ctx.fail(
            "review_did_you_mean",
            given=word,
            guess=guess,
            line=f"/mdt review {meeting.ref} {guess} {body}".strip(),
        )


def _open_review(ctx: Context, meeting: Meeting, *, lock: bool = False) -> Review:
    found = review_of(ctx.session, meeting, lock=lock)
    if found is None:
        ctx.fail("no_review", meeting=meeting.ref, status=meeting.status)
    return found


def add_review_item(ctx: Context, meeting: Meeting, kind: str, text: str) -> None:
    """An attendee adds a KEEP, STOP or START item to the meeting's open review."""
    if not any(p.id == ctx.caller.id for p in attendees(meeting)):
        ctx.fail(
            "only_attendees", meeting=meeting.ref, chair=meeting.chair.display_name, doing="review"
        )
    found = _open_review(ctx, meeting, lock=True)
    if found.status != ReviewStatus.OPEN or found.closes_at <= ctx.now:
        ctx.fail("review_closed", meeting=meeting.ref, closed_at=found.closed_at or found.closes_at)
    view = meeting_view(meeting, ctx.today)
    if not text:
        ctx.reply(
            "reviews:prompt",
            kind="review_prompt",
            meeting=view,
            which=kind,
            closes_at=found.closes_at,
        )
        return
    position = (
        ctx.session.scalar(
            select(func.max(ReviewItem.position)).where(ReviewItem.review_id == found.id)
        )
        or 0
    ) + 1
    ctx.session.add(
        ReviewItem(
            review_id=found.id,
            position=position,
            kind=kind,
            text=text,
            author_id=ctx.caller.id,
            created_at=ctx.now,
        )
    )
    ctx.session.flush()
    ctx.reply("reviews:added", meeting=view, which=kind, text=text, closes_at=found.closes_at)


def _show(ctx: Context, meeting: Meeting) -> None:
    ctx.require_chair(meeting, "see its review")
    found = _open_review(ctx, meeting)
    ctx.reply("reviews:so_far", review=review_view(ctx.session, found, ctx.today))


def _close(ctx: Context, meeting: Meeting) -> None:
    ctx.require_chair(meeting, "close its review")
    found = _open_review(ctx, meeting, lock=True)
    if found.status != ReviewStatus.OPEN:
        ctx.fail("review_closed", meeting=meeting.ref, closed_at=found.closed_at)
    view = close_review(ctx.session, found, ctx.now, ctx.caller)
    ctx.post("reviews:summary", channel=meeting.channel, kind="review_summary", review=view)


def _start_action(ctx: Context, meeting: Meeting, body: str) -> None:
    ctx.require_chair(meeting, "turn review items into actions")
    ctx.require_unlocked(meeting, "add actions to it")
    found = _open_review(ctx, meeting)
    number_text, rest = first_word(body)
    number_text = number_text.rstrip(".:")
    item = None
    starts = items_of_kind(
        list(ctx.session.scalars(select(ReviewItem).where(ReviewItem.review_id == found.id))),
        "start",
    )
    if number_text.isdigit() and 1 <= int(number_text) <= len(starts):
        item = starts[int(number_text) - 1]
    if item is None:
        ctx.fail(
            "not_a_start_item",
            meeting=meeting.ref,
            given=number_text,
            example=START_ACTION_EXAMPLE.replace("M3", meeting.ref),
        )
    if item.action_id is not None:
        done = ctx.session.get(Action, item.action_id)
        ctx.fail(
            "item_has_action",
            meeting=meeting.ref,
            number=int(number_text),
            action=done.ref if done else "",
        )
    owner, tail = first_word(rest)
    if not owner:
        ctx.fail("action_needs_owner", example=START_ACTION_EXAMPLE.replace("M3", meeting.ref))
    before_measure, measure = split_word(tail, "measure")
    description, when = _split_last(before_measure, "by")
    if when is None:
        ctx.fail(
            "action_needs_due",
            problem=None,
            example=START_ACTION_EXAMPLE.replace("M3", meeting.ref),
        )
    created = record_action(
        ctx,
        meeting,
        owner_named(ctx, owner),
        description or item.text,
        due_date(ctx, when),
        measure=measure or None,
    )
    item.action_id = created.id
    ctx.reply(
        "reviews:start_action",
        meeting=meeting_view(meeting, ctx.today),
        number=int(number_text),
        action=created.ref,
    )


def _split_last(text: str, word: str) -> tuple[str, str | None]:
    """Split at the last stand-alone `word`: (before, after) or (text, None)."""
    words = text.split()
    for index in range(len(words) - 1, -1, -1):
        if words[index].lower() == word:
            return " ".join(words[:index]), " ".join(words[index + 1 :]) or None
    return text, None


def _series(ctx: Context, rest: str) -> None:
    if meeting_number(rest) is None:
        ctx.fail("usage", usage="/mdt review series M3", example="/mdt review series M3")
    meeting = ctx.meeting(rest)
    ctx.require_chair(meeting, "review its series")
    meetings = series_meetings(ctx.session, meeting, ctx.caller.id)
    scope = f"series of {meeting.ref} {meeting.title}"
    _insights(ctx, meetings, scope, f"review-series-{meeting.ref}")


def _period_bounds(ctx: Context, rest: str) -> tuple[date | None, date]:
    before_to, to_text = split_word(rest, "to")
    leading, from_text = split_word(before_to, "from")
    if (
        leading
        or (from_text is not None and not from_text)
        or (to_text is not None and not to_text)
    ):
        ctx.fail(
            "usage", usage="/mdt review period [from <date>] [to <date>]", example=PERIOD_EXAMPLE
        )
    try:
        start = (
            parse_date(from_text, ctx.today, ctx.calendar, looking_back=True) if from_text else None
        )
        end = (
            parse_date(to_text, ctx.today, ctx.calendar, looking_back=True)
            if to_text
            else ctx.today
        )
    except DateError as error:
        ctx.fail("bad_when", problem=error.message, example=PERIOD_EXAMPLE)
    if from_text and start is not None and start > end:
        ctx.fail("bad_period", start=start, end=end, example=PERIOD_EXAMPLE)
    return start, end


def _period(ctx: Context, rest: str) -> None:
    start, end = _period_bounds(ctx, rest)
    meetings = period_meetings(
        ctx.session, ctx.workspace, ctx.request.channel, (start, end), ctx.caller.id
    )
    if meetings and not any(m.chair_id == ctx.caller.id for m in meetings):
        ctx.fail("only_chairs_period", channel=ctx.request.channel)
    scope = f"meetings in #{ctx.request.channel}"
    since = f"{start.isoformat()}-" if start else "to-"
    refs = f"{meetings[0].ref}-{meetings[-1].ref}" if meetings else "none"
    name = f"review-{refs}-{since}{end.isoformat()}"  # refs only: a channel id is no file name
    _insights(ctx, meetings, scope, name, start=start, end=end)


def _insights(
    ctx: Context,
    meetings: list[Meeting],
    scope: str,
    filename: str,
    *,
    start: date | None = None,
    end: date | None = None,
) -> None:
    if not meetings:
        ctx.fail("nothing_to_review", scope=scope)
    view = insights_for(
        ctx.session,
        meetings,
        ctx.today,
        viewer_id=ctx.caller.id,
        calendar=ctx.calendar,
        scope=scope,
        start=start,
        end=end,
    )
    page = render_document("review_page.html.j2", insights=view, zone=ctx.workspace_zone)
    ctx.reply(
        "reviews:insights",
        kind="review_insights",
        attachments=(Attachment(f"{filename}.html", page.encode(), "text/html"),),
        insights=view,
        filename=f"{filename}.html",
    )
