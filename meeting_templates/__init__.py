"""Jinja2 templates for every user-facing text; meeting types and escalation protocols (TOML)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from importlib import resources
from typing import Any


def toml_files(folder: str, error: type[ValueError]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each `<name>.toml` in a folder of this package, by name; a file TOML cannot read raises
    `error` naming the file."""
    here = resources.files("meeting_templates") / folder
    for entry in sorted(here.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as bad:
            raise error(f"{entry.name}: {bad}") from None
        yield entry.name.removesuffix(".toml"), data
