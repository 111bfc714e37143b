"""Saying you are away: `/mdt away from <date> to <date> [cover @x]`, `/mdt away off`, `/mdt back`.

While someone is away, chasers about their actions wait until they are back (the first working
day after the absence), or go to the person covering for them; the chair still hears of overdue
actions, told that the owner is away.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from commands.context import Context
from commands.language.dates import DateError, add_months, parse_date
from commands.language.grammar import clean_text, split_word
from commands.people.absence import MAX_MONTHS, absence_view
from commands.registry import command
from storage.absences import absences_from, overlapping
from storage.models import Absence, Person

AWAY_EXAMPLE = "/mdt away from 21/12 to 4/1 cover @sam"
AWAY_USAGE = "/mdt away [from <date>] to <date> [cover @person], or /mdt away off"
OFF_WORDS = frozenset({"off", "cancel", "none"})


def _dates(ctx: Context, text: str) -> tuple[date, date]:
    """The first and last day away, from `[from <date>] to <date>` (from today if not said)."""
    before_to, to_text = split_word(text, "to")
    if to_text is None:
        before_to, to_text = split_word(text, "until")
    leading, from_text = split_word(before_to, "from")
    if from_text is None:
        from_text = leading or "today"  # `away 21/12 to 4/1`, `away until friday`
    elif leading:
        from_text = ""
    if not from_text or not to_text:
        ctx.fail("usage", usage=AWAY_USAGE, example=AWAY_EXAMPLE)
    try:
        starts_on = parse_date(from_text, ctx.today, ctx.calendar)
        ends_on = parse_date(to_text, ctx.today, ctx.calendar)
    except DateError as error:
        ctx.fail("bad_when", problem=error.message, example=AWAY_EXAMPLE)
    if ends_on < ctx.today:
        ctx.fail("people:away_over", ends_on=ends_on, example=AWAY_EXAMPLE)
    if ends_on < starts_on:
        ctx.fail(
            "people:away_backwards", starts_on=starts_on, ends_on=ends_on, example=AWAY_EXAMPLE
        )
    if ends_on > add_months(starts_on, MAX_MONTHS):
        ctx.fail(
            "people:away_too_long",
            starts_on=starts_on,
            ends_on=ends_on,
            months=MAX_MONTHS,
            example=AWAY_EXAMPLE,
        )
    return starts_on, ends_on


def _cover(ctx: Context, text: str | None) -> Person | None:
    """The person covering, named after `cover`; never the caller."""
    if text is None:
        return None
    words = text.split()
    if len(words) != 1:
        ctx.fail("usage", usage=AWAY_USAGE, example=AWAY_EXAMPLE)
    cover = ctx.mentioned(words[0])
    if cover.id == ctx.caller.id:
        ctx.fail("people:away_cover_self", example=AWAY_EXAMPLE)
    return cover


def _record(ctx: Context, text: str) -> None:
    dates_text, cover_text = split_word(text, "cover")
    starts_on, ends_on = _dates(ctx, dates_text)
    cover = _cover(ctx, cover_text)
    # The caller's row, locked: two `away` at once by one person are checked one after another.
    ctx.session.scalar(select(Person.id).where(Person.id == ctx.caller.id).with_for_update())
    clash = overlapping(ctx.session, ctx.caller.id, starts_on, ends_on)
    if clash is not None:
        ctx.fail(
            "people:away_overlaps",
            starts_on=clash.starts_on,
            ends_on=clash.ends_on,
            example="/mdt away off",
        )
    absence = Absence(
        workspace_id=ctx.workspace.id,
        person_id=ctx.caller.id,
        starts_on=starts_on,
        ends_on=ends_on,
        cover_id=cover.id if cover else None,
        created_at=ctx.now,
    )
    ctx.session.add(absence)
    ctx.session.flush()
    ctx.session.refresh(absence)
    view = absence_view(absence, ctx.calendar)
    ctx.reply("people:away_set", away=view)
    if cover is not None:
        ctx.dm(cover, "people:away_cover", away=view)


def end_absence(ctx: Context) -> None:
    """Cancel the caller's current absence, or else the next one: chasing comes back to them."""
    found = absences_from(ctx.session, ctx.caller.id, ctx.today)
    if not found:
        ctx.fail("people:away_none", example=AWAY_EXAMPLE)
    absence = found[0]
    absence.cancelled_at = ctx.now
    view = absence_view(absence, ctx.calendar)
    started = absence.starts_on <= ctx.today
    ctx.reply("people:away_off", away=view, started=started)
    if absence.cover is not None:
        ctx.dm(absence.cover, "people:away_cover_off", away=view, started=started)


@command(
    "away",
    usage="/mdt away [[from <date>] to <date> [cover @person] | off]",
    summary="say you are away (chasers wait, or go to who covers), or that you are not",
    example=AWAY_EXAMPLE,
    aliases=("leave", "ooo"),
)
def away(ctx: Context, args: str) -> None:
    """Record an absence, cancel it with `off`, or show the caller's absences."""
    text = clean_text(args, limit=300, what="your absence")
    if not text:
        ctx.reply(
            "people:away_show",
            absences=[
                absence_view(a, ctx.calendar)
                for a in absences_from(ctx.session, ctx.caller.id, ctx.today)
            ],
            example=AWAY_EXAMPLE,
        )
        return
    if text.lower() in OFF_WORDS:
        end_absence(ctx)
        return
    _record(ctx, text)


@command(
    "back",
    usage="/mdt back",
    summary="say you are back: your absence ends today and chasers come to you again",
    example="/mdt back",
)
def back(ctx: Context, args: str) -> None:
    """End the caller's absence (as `/mdt away off`)."""
    if clean_text(args, limit=300, what="the text after back"):
        ctx.fail("usage", usage="/mdt back", example="/mdt back")
    end_absence(ctx)
