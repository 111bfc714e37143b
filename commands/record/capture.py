"""Reading a line typed in a meeting: a capture to record, a near miss to ask about, or chat.

A chair types fast. `decision: ...` is recorded; so are the forms nobody could mean otherwise
(`Decisions - ...`, `Actions: @tom ...`, `action @tom ...`). A line that only looks like one
(`decison: ...`, `Agreed that ...`, `decision to ...`) is answered privately with the line to
type, and recorded only when typed again. Everything else is ordinary chat and left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# The words of section 3 of the contract, and the forms of them that mean the same.
CAPTURE_WORDS = {
    "decision": "decision",
    "decisions": "decision",
    "decided": "decision",
    "agreed": "decision",
    "agreement": "decision",
    "action": "action",
    "actions": "action",
    "task": "action",
    "agenda": "agenda",
    "note": "note",
    "notes": "note",
    "dissent": "dissent",
    "disagree": "dissent",
}
# Two-word heads that mean an action or a decision (`Action point: ...`).
CAPTURE_PAIRS = {
    ("action", "point"): "action",
    ("action", "points"): "action",
    ("agenda", "item"): "agenda",
    ("decision", "made"): "decision",
}
# The words a near miss is measured against, and the line that records it.
SUGGEST = ("decision", "agreed", "action", "agenda", "note")
PREFIX_OF = {"decision": "decision", "agreed": "agreed", "action": "action"}
# Real words a short distance from a capture word that start ordinary lines (`date: friday`).
NOT_MISSPELLINGS = frozenset(
    {
        "date", "dates", "time", "vote", "votes", "nope", "none", "done", "more", "home",
        "nate", "nite", "next", "notice", "noted", "nose", "node", "nodes", "mote", "tone",
        "line", "lane", "name", "names", "one", "not", "now", "nth", "agent", "agents",
        "agreed", "degree", "option", "options", "auction", "fraction",
        "fiction", "faction", "section", "reaction", "traction", "caution", "actor", "active",
        "actual", "acting", "decisive", "division", "decisions", "revision", "version",
        "precision", "derision", "incision", "collision", "vision", "quote", "quotes",
        "motion", "notion", "notes", "nota", "agendas", "aged", "angry", "agreeing",
        "agency", "agencies", "update", "updates", "question", "questions", "answer",
    }
)  # fmt: skip
LEAD = re.compile(r"^\s*(?:[-*\u2022>]\s+|\d{1,2}[.)]\s+)?[*_]*(?:(?P<ref>[Mm]\d{1,9})\s*:?\s+)?")
WORD = re.compile(r"^(?P<word>[A-Za-z]+)(?P<tail>.*)$", re.S)
AFTER = re.compile(
    r"^(?:\s+(?P<ref>[Mm]\d{1,9}))?[*_]*\s*(?P<sep>:|[-\u2013\u2014](?=\s))?[*_]*\s*(?P<rest>.*)$",
    re.S,
)
MENTION = re.compile(r"^(?:for\s+)?(@\S+|<@[^>]+>)(?:\s|$)", re.IGNORECASE)
AGREED_LEAD = re.compile(r"^(?:that|on)\s+", re.IGNORECASE)
# Words after a bare `decision` that make it talk about a decision rather than record one.
CHATTY = frozenset(
    {"on", "about", "for", "of", "in", "yet", "pending", "needed", "needs", "still", "time",
     "making", "maker", "makers", "tree", "will", "would", "should", "has", "had", "?",
     "was", "were", "is", "are", "have", "been", "can", "could", "must", "may", "might"}
)  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """What a line is: a capture (`command` to run) or a near miss (`suggestion` to type)."""

    kind: Literal["capture", "hint"]
    command: str
    text: str
    ref: str | None = None
    typed: str = ""

    @property
    def suggestion(self) -> str:
        """The line that records what was meant."""
        word = PREFIX_OF.get(self.typed, self.command)
        ref = f" {self.ref.upper()}" if self.ref else ""
        return f"{word}{ref}: {self.text}"

    @property
    def arguments(self) -> str:
        """What the capture gives its command: the meeting named, if any, and the text."""
        ref = f"{self.ref.upper()} " if self.ref else ""
        return f"{ref}{self.text}".strip()


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, change, swap two neighbours) turning one word into the other."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def near_miss(word: str) -> str | None:
    """The capture word a mistyped word is closest to (two edits at most), if any."""
    lowered = word.lower()
    if lowered in CAPTURE_WORDS or lowered in NOT_MISSPELLINGS or len(lowered) < 3:
        return None
    best = min(SUGGEST, key=lambda known: distance(lowered, known))
    allowed = 1 if len(best) <= 4 else 2
    plural = lowered.removesuffix("s")
    if distance(lowered, best) <= allowed or distance(plural, best) <= allowed:
        return best
    return None


def read_line(text: str) -> Reading | None:
    """Read one chat line: a capture, a near miss, or None for ordinary chat."""
    lead = LEAD.match(text)
    assert lead is not None  # every part of it is optional
    head = WORD.match(text[lead.end() :])
    if head is None:
        return None
    word = head.group("word").lower()
    tail = head.group("tail")
    pair = re.match(r"^\s+([A-Za-z]+)", tail)
    if pair and (word, pair.group(1).lower()) in CAPTURE_PAIRS:
        command: str | None = CAPTURE_PAIRS[(word, pair.group(1).lower())]
        tail = tail[pair.end() :]
    else:
        command = CAPTURE_WORDS.get(word)
    after = AFTER.match(tail)
    assert after is not None  # every part of it is optional
    ref = lead.group("ref") or after.group("ref")
    rest = after.group("rest").strip()
    separated = after.group("sep") is not None
    if not rest:
        return None
    if command is not None:
        if separated:
            return Reading("capture", command, rest, ref, word)
        return _unseparated(command, word, rest, ref)
    guess = near_miss(word)
    if guess is None:
        return None
    if separated or (CAPTURE_WORDS[guess] == "action" and MENTION.match(rest)):
        return Reading("hint", CAPTURE_WORDS[guess], rest, ref, guess)
    return None


def _unseparated(command: str, word: str, rest: str, ref: str | None) -> Reading | None:
    """A capture word with no colon: an action naming its owner is clear; the rest are asked."""
    if command == "action":
        mention = MENTION.match(rest)
        if mention:
            return Reading("capture", "action", rest[mention.start(1) :], ref, word)
        return None
    if word == "agreed" and AGREED_LEAD.match(rest):
        return Reading("hint", "decision", AGREED_LEAD.sub("", rest, count=1), ref, "decision")
    first = rest.split(maxsplit=1)[0].lower().strip(",.?!")
    chatty = first in CHATTY or len(rest.split()) < 2
    if command == "decision" and word != "agreed" and not chatty:
        return Reading("hint", "decision", rest, ref, "decision")
    return None
