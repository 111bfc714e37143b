"""`/mdt help`: usage for every command or one, read from the command table itself."""

from __future__ import annotations

from commands.context import Context
from commands.language.dates import WEEKDAY_RULE
from commands.language.grammar import nearest
from commands.language.sectors import SECTORS
from commands.meetings.types import meeting_types
from commands.registry import ALIASES, COMMANDS, in_order, lookup
from commands.registry import command as register

# Help topics that are not commands.
TOPICS = {
    "types": "types",
    "type": "types",
    "sectors": "types",
    "sector": "types",
    "agencies": "types",
    "dates": "dates",
    "date": "dates",
    "times": "dates",
}
# Commands that take a date, a time or a length: their help explains how to write one.
DATED = frozenset({"new", "move", "action", "extend", "review", "away", "actions"})


@register(
    "help",
    usage="/mdt help [command]",
    summary="usage for all commands or one, with an example each",
    example="/mdt help action",
    aliases=("?", "commands"),
    reads=("", "review"),
)
def help_command(ctx: Context, args: str) -> None:
    """Show all commands, or one in detail."""
    word = args.strip().removeprefix("/mdt").strip()
    if not word:
        ctx.reply("help:all", commands=in_order())
        return
    topic = word.split()[0].lower()
    if topic in TOPICS:
        ctx.reply(
            f"help:{TOPICS[topic]}",
            types=list(meeting_types().values()),
            sectors=SECTORS,
            weekday_rule=WEEKDAY_RULE,
        )
        return
    spec = lookup(topic)
    if spec is None:
        guess = nearest(word, list(COMMANDS) + list(ALIASES))
        ctx.fail("unknown_command", word=word, guess=ALIASES.get(guess or "", guess))
    ctx.reply("help:one", command=spec, weekday_rule=WEEKDAY_RULE, dates=spec.name in DATED)
