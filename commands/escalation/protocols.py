"""Escalation and resolution protocols: stages with who is involved and a limit in working days."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from meeting_templates import toml_files

DEFAULT_PROTOCOL = "default"


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Stage:
    """One stage of a protocol: who deals with the disagreement, and in how many working days."""

    number: int
    title: str
    who: str
    working_days: int
    tell: str = ""


@dataclass(frozen=True)
class Protocol:
    """A protocol loaded from meeting_templates/protocols/<key>.toml."""

    key: str
    name: str
    description: str
    stages: tuple[Stage, ...]

    def stage(self, number: int) -> Stage:
        """Stage `number` (from 1); the last stage for anything past it."""
        return self.stages[min(max(number, 1), len(self.stages)) - 1]

    @property
    def last(self) -> int:
        """The number of the last stage."""
        return len(self.stages)


def _stage(file: str, number: int, data: Any) -> Stage:
    if not isinstance(data, dict):
        raise ProtocolError(f"{file}: stage {number} is not a table")
    try:
        title, who, days = str(data["title"]), str(data["who"]), data["working_days"]
    except KeyError as missing:
        raise ProtocolError(f"{file}: stage {number}: missing {missing}") from None
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        raise ProtocolError(f"{file}: stage {number}: working_days must be a whole number 1-60")
    if not title.strip():
        raise ProtocolError(f"{file}: stage {number}: title is empty")
    return Stage(number, title.strip(), who.strip(), days, str(data.get("tell", "")).strip())


def parse_protocol(key: str, data: dict[str, Any]) -> Protocol:
    """A protocol from a TOML file's contents; raises ProtocolError naming the file."""
    file = f"{key}.toml"
    name = str(data.get("name", "")).strip()
    if not name:
        raise ProtocolError(f"{file}: missing 'name'")
    stages = data.get("stage")
    if not isinstance(stages, list) or not stages:
        raise ProtocolError(f"{file}: needs at least one [[stage]]")
    if len(stages) > 9:
        raise ProtocolError(f"{file}: at most 9 stages")
    parsed = tuple(_stage(file, n, s) for n, s in enumerate(stages, start=1))
    return Protocol(key, name, str(data.get("description", "")).strip(), parsed)


@cache
def protocols() -> dict[str, Protocol]:
    """Every shipped protocol by key; a malformed file raises naming itself."""
    found: dict[str, Protocol] = {}
    for key, data in toml_files("protocols", ProtocolError):
        found[key] = parse_protocol(key, data)
    if DEFAULT_PROTOCOL not in found:
        raise ProtocolError(f"{DEFAULT_PROTOCOL}.toml: the default protocol is missing")
    return found


def protocol(key: str | None) -> Protocol:
    """The protocol a workspace chose, or the default; an unknown key raises ProtocolError."""
    known = protocols()
    chosen = key or DEFAULT_PROTOCOL
    if chosen not in known:
        raise ProtocolError(f"unknown escalation protocol {chosen!r}: one of {', '.join(known)}")
    return known[chosen]
