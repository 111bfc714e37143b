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
