"""The permission and bad-input tables cover every command: a new command without rows fails here.

A command goes in the tables, or in the list below with the reason it is not there; either way
its author has to decide who may use it and how it answers bad input.
"""

from __future__ import annotations

from commands import catalogue  # noqa: F401 - fills the command table
from commands.registry import COMMANDS, lookup
from tests.test_bad_input import CASES
from tests.test_permissions import RULES

# Commands anyone may use (each person's own data), or whose permission rows live elsewhere.
NO_PERMISSION_ROW = {
    "help": "anyone",
    "iam": "anyone: says which agency the caller is from",
    "back": "anyone: ends the caller's own absence; tests/people/test_away.py",
    "list": "anyone: the meetings of this channel, or the caller's",
    "new": "anyone: the caller becomes the chair",
    "actions": "anyone for their own; a meeting's: the invitees, in tests/test_bad_input.py",
    "review": "attendees add, the chair closes: tests/reviews/test_reviews.py",
    "escalate": "those involved: tests/escalation/test_escalation.py",
    "resolve": "those involved: tests/escalation/test_escalation.py",
    "escalations": "each person's own: tests/escalation/test_escalation.py",
    "ratify": "the chair of a later quorate meeting: tests/record/test_record_decisions.py",
}
# Commands whose bad input is checked in their own feature's tests.
NO_BAD_INPUT_ROW = {
    "review": "tests/reviews/test_reviews.py",
    "escalate": "tests/escalation/test_escalation.py",
    "resolve": "tests/escalation/test_escalation.py",
    "escalations": "tests/escalation/test_escalation.py",
}


def _command_of(line: str) -> str | None:
    words = line.removeprefix("/mdt").split()
    spec = lookup(words[0]) if line.startswith("/mdt") and words else None
    return spec.name if spec else None


def test_every_command_has_permission_rows() -> None:
    covered = {_command_of(rule.line) for rule in RULES.values()}
    missing = set(COMMANDS) - covered - set(NO_PERMISSION_ROW)
    assert missing == set(), "add a Rule to tests/test_permissions.py for each"
    assert set(NO_PERMISSION_ROW) <= set(COMMANDS), "a command listed here no longer exists"


def test_every_command_has_bad_input_rows() -> None:
    covered = {_command_of(line) for _, line, _ in CASES}
    missing = set(COMMANDS) - covered - set(NO_BAD_INPUT_ROW)
    assert missing == set(), "add cases to tests/test_bad_input.py for each"
    assert set(NO_BAD_INPUT_ROW) <= set(COMMANDS), "a command listed here no longer exists"
