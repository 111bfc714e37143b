"""The pieces of the /mdt language: refs, mentions, and trailing clauses like `on 1/12 at 10am`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from commands.errors import CommandError

MEETING_REF = re.compile(r"^[Mm](\d{1,9})$")
ACTION_REF = re.compile(r"^[Aa](\d{1,9})$")
DECISION_REF = re.compile(r"^[Dd](\d{1,9})$")
CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,38}$")
MAX_TEXT = 2000
MAX_TITLE = 200

ClauseParser = Callable[[list[str]], Any]


@dataclass(frozen=True)
class ClauseKind:
    """One kind of trailing clause: the words that may start it and how to read it."""

    name: str
    starters: frozenset[str]
    parse: ClauseParser
    keep_starter: bool = False


@dataclass
class Clauses:
    """What a clause scan found: the text before the clauses and each clause's value."""

    head: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def head_text(self) -> str:
        """The words before the clauses, joined back with single spaces."""
        return " ".join(self.head)


def clean_text(text: str, *, limit: int = MAX_TEXT, what: str = "text") -> str:
    """User text with control characters refused and runs of white space folded."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in text):
        raise CommandError("control_characters", what=what)
    folded = " ".join(text.split())
    if len(folded) > limit:
        raise CommandError("too_long", what=what, limit=limit, length=len(folded))
    return folded


def _try(kind: ClauseKind, span: list[str]) -> tuple[bool, Any, str]:
    words = span if kind.keep_starter else span[1:]
    if not words:
        return False, None, ""
    try:
        return True, kind.parse(words), ""
    except ValueError as error:
        # A CommandError (someone named with @ who is not known) is not a misread clause: it
        # stops the command with its own reply.
        return False, None, str(getattr(error, "message", None) or error)


def scan_clauses(tokens: list[str], kinds: list[ClauseKind]) -> Clauses:
    """Read clauses from the end of the tokens leftwards; each kind at most once.

    At each step the longest span ending where the last clause began, that starts with a
    starter word and reads as a clause of a kind not yet found, is taken. The scan stops at the
    first place where no span reads, and everything before it is the head (a title, a task);
    the spans that failed there are kept, shortest last, to explain a missing clause.
    """
    values: dict[str, Any] = {}
    failures: list[tuple[str, str, str]] = []
    end = len(tokens)
    while end > 0:
        failures = []
        found = None
        for start in range(end):
            word = tokens[start].lower()
            for kind in kinds:
                if kind.name in values or word not in kind.starters:
                    continue
                ok, value, error = _try(kind, tokens[start:end])
                if ok:
                    found = (start, kind.name, value)
                    break
                if error:
                    failures.append((kind.name, " ".join(tokens[start:end]), error))
            if found:
                break
        if found is None:
            break
        end, name, value = found
        values[name] = value
    return Clauses(head=tokens[:end], values=values, failures=failures)


def split_word(text: str, word: str) -> tuple[str, str | None]:
    """Split at the first stand-alone `word`, a colon allowed: (before, after) or (text, None)."""
    match = re.search(rf"(?i)(?:^|\s){re.escape(word)}:?(?:\s|$)", text)
    if not match:
        return text, None
    return text[: match.start()].strip(), text[match.end() :].strip()


def meeting_number(token: str) -> int | None:
    """The number in a meeting ref like M3 (any case), or None."""
    match = MEETING_REF.match(token)
    return int(match.group(1)) if match else None


def action_number(token: str) -> int | None:
    """The number in an action ref like A17 (any case), or None."""
    match = ACTION_REF.match(token)
    return int(match.group(1)) if match else None


def decision_number(token: str) -> int | None:
    """The number in a decision ref like D4 (any case), or None."""
    match = DECISION_REF.match(token)
    return int(match.group(1)) if match else None


def read_case_ref(words: list[str]) -> str:
    """A case reference: one token of letters, digits and dashes with a digit, upper-cased.

    The digit keeps titles such as "Complex case conference" or "case notes" whole.
    """
    if len(words) != 1 or not CASE_REF.match(words[0]) or not any(c.isdigit() for c in words[0]):
        raise ValueError("a case reference is one word such as AB-1234")
    return words[0].upper()


def read_word(words: list[str]) -> str:
    """Exactly one word."""
    if len(words) != 1:
        raise ValueError("one word expected")
    return words[0].lower()


def read_rest(words: list[str]) -> str:
    """All the words, as text."""
    return " ".join(words)


def first_word(text: str) -> tuple[str, str]:
    """The first word and the rest of the text."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


def nearest(word: str, choices: Mapping[str, Any] | list[str]) -> str | None:
    """The closest known word to a mistyped one, for "did you mean"."""
    import difflib  # noqa: PLC0415 - only needed on a mistake

    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None
