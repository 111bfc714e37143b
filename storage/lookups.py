"""Named queries the kernel shares (records by number live in commands/context, locked)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Workspace


def workspace_of(session: Session, platform: str, external_id: str) -> Workspace | None:
    """The workspace a platform knows by this id."""
    query = select(Workspace).where(
        Workspace.platform == platform, Workspace.external_id == external_id
    )
    return session.scalar(query)
