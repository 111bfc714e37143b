"""Where a meeting is held: `where <venue or dial-in>` on `/mdt new`, and `/mdt where`."""

from __future__ import annotations

from collections.abc import Callable

from commands.context import Context
from commands.language.grammar import ClauseKind, clean_text
from commands.meetings.scheduling import tell_invitees
from commands.registry import command
from storage.status import MeetingStatus

MAX_VENUE = 300
WHERE_EXAMPLE = "/mdt where M3 Hove Town Hall, room 2, or Teams https://teams.example/m3"


def venue_reader(others: Callable[[], list[ClauseKind]]) -> Callable[[list[str]], str]:
    """Read a venue; a span that ends with another clause (`at 10:00`, `with @sam`) is not one.

    The clause scan takes the longest span that reads, so without this `where Room 2 at 10:00`
    would keep the time in the venue.
    """

    def read(words: list[str]) -> str:
        kinds = others()
        for start in range(len(words)):
            word = words[start].lower()
            for kind in kinds:
                if word in kind.starters and _reads(kind, words[start:]):
                    raise ValueError(f"`{' '.join(words[start:])}` is not part of the venue")
        return checked_venue(" ".join(words))

    return read


def _reads(kind: ClauseKind, span: list[str]) -> bool:
    words = span if kind.keep_starter else span[1:]
    if not words:
        return False
    try:
        kind.parse(words)
    except ValueError:
        return False
    return True


def checked_venue(text: str) -> str:
    """The venue as saved: control characters refused, white space folded, length bounded."""
    return clean_text(text, limit=MAX_VENUE, what="the venue")


def venue_clause(others: Callable[[], list[ClauseKind]]) -> ClauseKind:
    """`where <venue or dial-in>` as a clause of `/mdt new`."""
    return ClauseKind("where", frozenset({"where"}), venue_reader(others))


@command(
    "where",
    usage="/mdt where M3 <venue or dial-in>",
    summary="say where the meeting is held (a room, or a dial-in); invitees are told",
    example=WHERE_EXAMPLE,
    who="chair",
    aliases=("venue",),
)
def where(ctx: Context, args: str) -> None:
    """Set or change where a meeting is held, and update its calendar invite."""
    ref, _, text = clean_text(args).partition(" ")
    meeting = ctx.meeting(ref)
    ctx.require_chair(meeting, "say where it is held")
    ctx.require_unlocked(meeting, "say where it is held")
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.RUNNING):
        ctx.fail("meeting_closed", meeting=meeting.ref, status=meeting.status)
    if not text.strip():
        ctx.fail("usage", usage="/mdt where M3 <venue or dial-in>", example=WHERE_EXAMPLE)
    venue = checked_venue(text)
    if venue == meeting.venue:
        ctx.fail("venue_unchanged", meeting=meeting.ref, venue=venue)
    previous = meeting.venue
    meeting.venue = venue
    meeting.sequence += 1
    tell_invitees(ctx, meeting, "meeting:venue_changed", previous_venue=previous)
