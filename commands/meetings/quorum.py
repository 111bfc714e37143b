"""Quoracy: which of a meeting type's required sectors nobody present represents."""

from __future__ import annotations

from commands.meetings.types import meeting_types
from storage.models import Meeting


def missing_sectors(meeting: Meeting) -> list[str]:
    """Required sectors with nobody present (a deputy counts for the person they stand in for)."""
    kind = meeting_types().get(meeting.meeting_type or "")
    if kind is None:
        return []
    present: set[str] = set()
    for invitation in meeting.invitations:
        if not invitation.attended:
            continue
        for person in (invitation.person, invitation.deputy_for):
            if person is not None and person.agency is not None:
                present.add(person.agency.sector)
    return [s for s in kind.required_sectors if s not in present]
