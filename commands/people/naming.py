"""Pieces several command families use: mentions, agencies, buttons and date-phrase starters."""

from __future__ import annotations

from sqlalchemy import func, select

from commands.context import Context
from commands.errors import CommandError
from commands.language.grammar import split_word
from commands.language.sectors import SECTORS, infer_sector, match_sector
from commands.messages import Button
from commands.people.email_people import address_of
from storage.models import Agency, Meeting, Person
from storage.status import MeetingStatus

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DATE_STARTERS = frozenset(
    {"today", "tomorrow", "next", "this", "in", "within", "end"}
    | set(WEEKDAYS)
    | {day[:3] for day in WEEKDAYS}
)
# Words that join names in a list: `with @a, @b and @c`.
JOINERS = frozenset({"and", "&", "+"})


def looks_like_mention(token: str) -> bool:
    """A token written as a mention (`@tom`, `<@U123>`) or an email address."""
    return token.startswith(("@", "<@")) or address_of(token) is not None


def read_mentions(ctx: Context, words: list[str]) -> list[Person]:
    """Every word is a person (a mention, or a known name); otherwise not a list of people."""
    tokens = [t for word in words for t in word.split(",") if t and t.lower() not in JOINERS]
    if not tokens:
        raise ValueError("no people named")
    people = []
    for token in tokens:
        if not looks_like_mention(token) and ctx.directory.resolve(token) is None:
            # A bare name is a person only when exactly one known person has it.
            try:
                people.append(ctx.mentioned(token))
            except CommandError:
                raise ValueError(
                    f"I don't know who {token} is: name people with @, for example @{token}."
                ) from None
            continue
        people.append(ctx.mentioned(token))
    return people


def split_mentions(ctx: Context, text: str) -> tuple[list[Person], str]:
    """The people named at the start of the text, and the text after them."""
    words = text.split()
    people: list[Person] = []
    index = 0
    for index, word in enumerate(words):  # noqa: B007 - index is used after the loop
        token = word.rstrip(",")
        if people and token.lower() in JOINERS:
            continue
        if looks_like_mention(token):
            people.append(ctx.mentioned(token))
            continue
        try:
            people.append(ctx.mentioned(token))
        except CommandError:
            break
    else:
        index = len(words)
    return people, " ".join(words[index:])


def agency_for(ctx: Context, text: str) -> Agency:
    """The agency named (created on first use), its sector inferred or given as `sector <name>`."""
    name, sector_text = split_word(text, "sector")
    name = name.strip()
    if not name:
        ctx.fail("agency_needs_name", example="/mdt iam Saxon Housing as housing officer")
    agency = ctx.session.scalar(
        select(Agency).where(
            Agency.workspace_id == ctx.workspace.id, func.lower(Agency.name) == name.lower()
        )
    )
    sector = match_sector(sector_text) if sector_text else None
    if sector_text and sector is None:
        ctx.fail("unknown_sector", given=sector_text, sectors=SECTORS, agency=name)
    if agency is not None:
        if sector and agency.sector != sector:
            agency.sector = sector
        return agency
    sector = sector or infer_sector(name)
    if sector is None:
        ctx.fail("sector_unknown", agency=name, sectors=SECTORS)
    agency = Agency(workspace_id=ctx.workspace.id, name=name, sector=sector)
    ctx.session.add(agency)
    ctx.session.flush()
    return agency


def meeting_buttons(ref: str) -> tuple[Button, ...]:
    """Attend, apologies and agenda buttons for a meeting card or invitation."""
    return (
        Button("Attend", "attend", ref, style="primary"),
        Button("Send apologies", "apologies", ref),
        Button("Add agenda item", "agenda", ref),
    )


def action_buttons(ref: str) -> tuple[Button, ...]:
    """Accept, done, progress and more-time buttons for an action owner."""
    return (
        Button("Accept", "accept", ref, style="primary"),
        Button("Done", "done", ref),
        Button("Add progress", "progress", ref),
        Button("Need more time", "extend", ref),
    )


def unique_people(people: list[Person]) -> list[Person]:
    """Each person once, in the order first named."""
    seen: dict[int, Person] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())


def require_open(ctx: Context, meeting: Meeting) -> None:
    """Refuse changes to a meeting that has ended or was cancelled (or whose record is locked)."""
    ctx.require_unlocked(meeting, "change it")
    if meeting.status in {MeetingStatus.ENDED, MeetingStatus.CANCELLED}:
        ctx.fail("meeting_closed", meeting=meeting.ref, status=meeting.status)
