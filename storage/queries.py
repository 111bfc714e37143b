"""Queries that load a whole record in a fixed, small number of statements."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import Action, Decision, Invitation, Meeting, Note


def load_meeting_in_full(session: Session, meeting_id: int) -> Meeting:
    """A meeting with invitees, agenda, decisions, notes and actions, without a query per row."""
    invitations = selectinload(Meeting.invitations)
    query = (
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            invitations.joinedload(Invitation.person),
            invitations.joinedload(Invitation.deputy_for),
            selectinload(Meeting.agenda),
            selectinload(Meeting.decisions).joinedload(Decision.author),
            selectinload(Meeting.decisions).selectinload(Decision.dissents),
            selectinload(Meeting.notes).joinedload(Note.author),
            selectinload(Meeting.actions).joinedload(Action.owner),
            selectinload(Meeting.actions).selectinload(Action.updates),
        )
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()
