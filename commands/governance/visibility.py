"""Need to know: the meetings a person may see are the ones they chair or are invited to."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from storage.models import Invitation, Meeting


def may_see(person_id: int) -> ColumnElement[bool]:
    """A condition on `Meeting`: the person chairs it or is invited to it (in SQL, one clause)."""
    invited = select(Invitation.meeting_id).where(Invitation.person_id == person_id)
    return or_(Meeting.chair_id == person_id, Meeting.id.in_(invited))
