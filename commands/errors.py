"""User mistakes are ordinary replies: a CommandError names the template that explains it."""

from __future__ import annotations

from typing import Any


class CommandError(Exception):
    """A user error: rolled back, and answered privately with the named message."""

    def __init__(self, name: str, /, **context: Any) -> None:
        super().__init__(name)
        self.name = name
        self.context = context
