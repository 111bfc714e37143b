"""Link tokens for email-only people: 32 random bytes, kept only as a hash, for one thing.

A link acts for one person on one action or one invitation. It expires 14 days after it is
issued, when it is used up (an action marked done through it), and when what it acts on is
closed (the action done or cancelled, the meeting over or cancelled).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Action, Invitation, LinkToken, Meeting, Person
from storage.status import ActionStatus, MeetingStatus

TOKEN_BYTES = 32
LIFETIME = timedelta(days=14)
FRESH_PER_DAY = 3  # fresh links one person may ask for in a day, for one action or invitation
State = Literal["open", "expired", "used", "closed"]


def token_hash(raw: str) -> str:
    """The stored form of a link token: its SHA-256, in hex."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_link(
    session: Session,
    person: Person,
    now: datetime,
    *,
    action_id: int | None = None,
    invitation_id: int | None = None,
) -> str:
    """A new link token for the person and one action or invitation; only its hash is kept."""
    if (action_id is None) == (invitation_id is None):
        raise ValueError("a link acts on one action or one invitation")
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LinkToken(
            workspace_id=person.workspace_id,
            token_hash=token_hash(raw),
            csrf_secret=secrets.token_hex(32),
            person_id=person.id,
            action_id=action_id,
            invitation_id=invitation_id,
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    session.flush()
    return raw


def find_link(session: Session, raw: str) -> LinkToken | None:
    """The link a token names, if any (a malformed token names none)."""
    if not raw or len(raw) > 100:
        return None
    return session.scalar(select(LinkToken).where(LinkToken.token_hash == token_hash(raw)))


def csrf_token(link: LinkToken) -> str:
    """The form token of the link's page: bound to this link, unknowable without its secret."""
    return hmac.new(
        link.csrf_secret.encode(), f"page:{link.token_hash}".encode(), hashlib.sha256
    ).hexdigest()


def csrf_ok(link: LinkToken, given: str) -> bool:
    """The form carried this page's token."""
    return hmac.compare_digest(csrf_token(link), given or "")


@dataclass(frozen=True)
class Target:
    """What a link acts on, loaded."""

    person: Person
    action: Action | None
    invitation: Invitation | None

    @property
    def meeting(self) -> Meeting:
        """The meeting of the action or invitation."""
        if self.action is not None:
            return self.action.meeting
        assert self.invitation is not None
        return self.invitation.meeting


def target_of(session: Session, link: LinkToken) -> Target:
    """The person, and the action or invitation, a link is for."""
    person = session.get(Person, link.person_id)
    assert person is not None
    action = session.get(Action, link.action_id) if link.action_id is not None else None
    invitation = (
        session.get(Invitation, link.invitation_id) if link.invitation_id is not None else None
    )
    return Target(person, action, invitation)


def state_of(link: LinkToken, target: Target, now: datetime) -> State:
    """Whether the link still works: open, or expired, used up, or its matter closed."""
    if link.used_at is not None:
        return "used"
    if target.action is not None and target.action.status != ActionStatus.OPEN:
        return "closed"
    if target.invitation is not None and target.meeting.status in {
        MeetingStatus.ENDED,
        MeetingStatus.CANCELLED,
    }:
        return "closed"
    if now >= link.expires_at:
        return "expired"
    return "open"


def fresh_allowed(session: Session, link: LinkToken, now: datetime) -> bool:
    """The person has not asked for too many fresh links for this thing today."""
    issued = session.scalar(
        select(func.count())
        .select_from(LinkToken)
        .where(
            LinkToken.person_id == link.person_id,
            LinkToken.action_id.is_(None)
            if link.action_id is None
            else LinkToken.action_id == link.action_id,
            LinkToken.invitation_id.is_(None)
            if link.invitation_id is None
            else LinkToken.invitation_id == link.invitation_id,
            LinkToken.created_at > now - timedelta(days=1),
        )
    )
    return (issued or 0) <= FRESH_PER_DAY
