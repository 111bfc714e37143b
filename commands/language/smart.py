"""The SMART check of an action: which letters hold, and what would make the others hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from commands.language.workdays import WorkingCalendar

VAGUE_VERBS = (
    "look into",
    "looking into",
    "consider",
    "discuss",
    "monitor",
    "think about",
    "explore",
    "review options",
    "keep an eye",
    "be aware",
    "follow up",
    "liaise",
    "chase",
    "try to",
)
EVIDENCE_WORDS = (
    "evidenced by",
    "evidence",
    "confirmed by",
    "confirm in writing",
    "shared with",
    "sent to",
    "signed",
    "uploaded",
    "recorded on",
    "report",
    "copy to",
    "email to",
    "written",
)


@dataclass(frozen=True)
class SmartCheck:
    """Which SMART letters hold for an action."""

    specific: bool
    measurable: bool
    achievable: bool
    relevant: bool
    time_bound: bool

    @property
    def letters(self) -> dict[str, bool]:
        """Each letter and whether it holds, in SMART order."""
        return {
            "S": self.specific,
            "M": self.measurable,
            "A": self.achievable,
            "R": self.relevant,
            "T": self.time_bound,
        }

    @property
    def is_smart(self) -> bool:
        """True when every letter holds."""
        return all(self.letters.values())


def _contains(text: str, phrases: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(p)}\b", lowered) for p in phrases)


def is_specific(description: str) -> bool:
    """A concrete task: not only "look into", "consider", "discuss" or "monitor"."""
    words = re.findall(r"[a-z']+", description.lower())
    if len(words) < 2:
        return False
    return not _contains(description, VAGUE_VERBS)


def is_measurable(description: str, measure: str | None) -> bool:
    """Has a measure, or says how completion will be evidenced."""
    return bool(measure and measure.strip()) or _contains(description, EVIDENCE_WORDS)


def is_time_bound(due: date, today: date, calendar: WorkingCalendar) -> bool:
    """Due in the future, on a working day."""
    return due > today and calendar.is_working_day(due)


def check(
    description: str,
    measure: str | None,
    due: date,
    *,
    accepted: bool,
    has_meeting: bool,
    today: date,
    calendar: WorkingCalendar,
) -> SmartCheck:
    """Check an action against SMART."""
    return SmartCheck(
        specific=is_specific(description),
        measurable=is_measurable(description, measure),
        achievable=accepted,
        relevant=has_meeting,
        time_bound=is_time_bound(due, today, calendar),
    )
