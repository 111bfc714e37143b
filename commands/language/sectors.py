"""Sectors of the partnership, and the well-known words that tell which sector an agency is in."""

from __future__ import annotations

import re

SECTORS = (
    "Adult Social Care",
    "Health",
    "Police",
    "Housing",
    "Advocacy",
    "Fire and Rescue",
    "Probation",
    "Voluntary Sector",
    "Family and Carers",
    "Care Provider",
    "Other",
)

# Checked in order: the first sector with a matching word wins ("NHS Housing Support" -> Health).
SECTOR_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Fire and Rescue", ("fire", "rescue")),
    (
        "Care Provider",
        (
            "care home",
            "nursing home",
            "residential home",
            "home care",
            "homecare",
            "domiciliary",
            "care agency",
            "care provider",
            "care at home",
            "extra care",
        ),
    ),
    ("Police", ("police", "constabulary", "public protection")),
    ("Probation", ("probation", "offender", "community rehabilitation")),
    (
        "Health",
        (
            "nhs",
            "gp",
            "hospital",
            "mental health",
            "health",
            "icb",
            "clinic",
            "surgery",
            "ambulance",
            "nursing",
            "district nurse",
            "cmht",
            "ward",
            "pharmacy",
            "community nursing",
            "therapy",
            "medical",
        ),
    ),
    ("Advocacy", ("advocacy", "advocate", "imca", "imha", "care act advocate")),
    ("Housing", ("housing", "homes", "tenancy", "landlord", "homeless", "accommodation")),
    (
        "Adult Social Care",
        (
            "adult social care",
            "social care",
            "social services",
            "asc",
            "adult services",
            "safeguarding adults",
            "council",
            "reablement",
            "supported living",
        ),
    ),
    ("Family and Carers", ("family", "carer", "carers", "relative", "next of kin")),
    (
        "Voluntary Sector",
        (
            "charity",
            "voluntary",
            "age uk",
            "mind",
            "samaritans",
            "foodbank",
            "citizens advice",
            "cvs",
            "community group",
        ),
    ),
)


def _has_word(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", text) is not None


def infer_sector(agency: str) -> str | None:
    """The sector an agency's name points to, or None when no well-known word says."""
    text = agency.lower()
    for sector, words in SECTOR_WORDS:
        if any(_has_word(text, word) for word in words):
            return sector
    return None


def match_sector(text: str) -> str | None:
    """The sector a user typed (case-insensitive, a unique prefix is enough), or None."""
    wanted = text.strip().lower()
    exact = [s for s in SECTORS if s.lower() == wanted]
    if exact:
        return exact[0]
    starts = [s for s in SECTORS if s.lower().startswith(wanted)] if wanted else []
    return starts[0] if len(starts) == 1 else None
