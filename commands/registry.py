"""The command table: each /mdt word with its usage, example and who may use it; help reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from commands.context import Context

Handler = Callable[[Context, str], None]


@dataclass(frozen=True)
class CommandSpec:
    """One /mdt command word."""

    name: str
    handler: Handler
    usage: str
    summary: str
    example: str
    who: str
    aliases: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    """The forms of the command that only read (after the word; `{meeting}` stands for a meeting
    ref and `{person}` for a mention): the need-to-know and statement-count tests run each."""


COMMANDS: dict[str, CommandSpec] = {}
ALIASES: dict[str, str] = {}
# The order help lists the commands in: the order a meeting uses them. Any not named come last.
ORDER = (
    "new",
    "list",
    "show",
    "invite",
    "iam",
    "away",
    "back",
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
    "where",
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


def command(
    name: str,
    *,
    usage: str,
    summary: str,
    example: str,
    who: str = "anyone",
    aliases: tuple[str, ...] = (),
    reads: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """Register a handler as the /mdt command `name`."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = CommandSpec(name, handler, usage, summary, example, who, aliases, reads)
        for alias in aliases:
            ALIASES[alias] = name
        return handler

    return register


def lookup(word: str) -> CommandSpec | None:
    """The command a word names, by name or alias (case-insensitive)."""
    key = word.lower()
    return COMMANDS.get(ALIASES.get(key, key))


def in_order() -> list[CommandSpec]:
    """Every command, in `ORDER` (then any others by name): the order help shows."""

    def position(spec: CommandSpec) -> tuple[int, str]:
        return (ORDER.index(spec.name) if spec.name in ORDER else len(ORDER), spec.name)

    return sorted(COMMANDS.values(), key=position)
