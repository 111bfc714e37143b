"""Meeting types: presets with a standard agenda, a default length and the sectors for quorum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from commands.language.dates import DateError, parse_duration
from commands.language.sectors import SECTORS
from meeting_templates import toml_files


class MeetingTypeError(ValueError):
    """A meeting type file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class MeetingType:
    """A preset loaded from meeting_templates/types/<name>.toml."""

    name: str
    label: str
    description: str
    default_length: timedelta
    required_sectors: tuple[str, ...]
    agenda: tuple[str, ...]
    about_person: bool = False


def _parse(name: str, data: dict[str, Any]) -> MeetingType:
    file = f"{name}.toml"
    try:
        length = parse_duration(str(data["default_length"]))
        sectors = tuple(str(s) for s in data.get("required_sectors", []))
        agenda = tuple(str(item) for item in data["agenda"])
        label = str(data["label"])
    except KeyError as missing:
        raise MeetingTypeError(f"{file}: missing {missing}") from None
    except DateError as bad:
        raise MeetingTypeError(f"{file}: default_length: {bad}") from None
    unknown = [s for s in sectors if s not in SECTORS]
    if unknown:
        raise MeetingTypeError(f"{file}: unknown sector {unknown[0]!r}")
    description = str(data.get("description", ""))
    about_person = bool(data.get("about_person", False))
    return MeetingType(name, label, description, length, sectors, agenda, about_person)


@cache
def meeting_types() -> dict[str, MeetingType]:
    """Every shipped meeting type by name; a malformed file raises naming itself."""
    found: dict[str, MeetingType] = {}
    for name, data in toml_files("types", MeetingTypeError):
        found[name] = _parse(name, data)
    return found
