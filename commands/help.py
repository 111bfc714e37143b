"""`/mdt help`: usage for every command or one, read from the command table itself."""

from __future__ import annotations

from commands.context import Context
from commands.language.dates import WEEKDAY_RULE
from commands.language.grammar import nearest
from commands.registry import ALIASES, COMMANDS, in_order, lookup
from commands.registry import command as register


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
    spec = lookup(word.split()[0])
    if spec is None:
        guess = nearest(word, list(COMMANDS) + list(ALIASES))
        ctx.fail("unknown_command", word=word, guess=ALIASES.get(guess or "", guess))
    ctx.reply("help:one", command=spec, weekday_rule=WEEKDAY_RULE)
