"""`/mdt help`: usage for every command or one, read from the command table itself."""

from __future__ import annotations

from commands.context import Context
from commands.language.dates import WEEKDAY_RULE
from commands.language.grammar import nearest
from commands.registry import ALIASES, COMMANDS, CommandSpec, lookup
from commands.registry import command as register

HELP_ORDER = (
    "new",
    "list",
    "show",
    "invite",
    "iam",
    "agenda",
    "attend",
    "apologies",
    "start",
    "decision",
    "action",
    "note",
    "end",
    "minutes",
    "move",
    "cancel",
    "review",
    "actions",
    "accept",
    "done",
    "progress",
    "extend",
    "reassign",
    "audit",
    "hold",
    "release",
    "help",
)


def _position(spec: CommandSpec) -> tuple[int, str]:
    """Commands in the order a meeting uses them; any not listed come last."""
    known = spec.name in HELP_ORDER
    return (HELP_ORDER.index(spec.name) if known else len(HELP_ORDER), spec.name)


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
        ctx.reply("help:all", commands=sorted(COMMANDS.values(), key=_position))
        return
    spec = lookup(word.split()[0])
    if spec is None:
        guess = nearest(word, list(COMMANDS) + list(ALIASES))
        ctx.fail("unknown_command", word=word, guess=ALIASES.get(guess or "", guess))
    ctx.reply("help:one", command=spec, weekday_rule=WEEKDAY_RULE)
