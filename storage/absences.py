"""Named queries about absences: who is away on a day, and a person's current and coming ones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.models import Absence


def absence_on(session: Session, person_id: int, day: date) -> Absence | None:
    """The person's absence that includes `day`, if any (cancelled ones do not count)."""
    return overlapping(session, person_id, day, day)


def absences_between(
    session: Session, person_ids: Iterable[int], first: date, last: date
) -> dict[int, list[Absence]]:
    """For each of these people, their absences sharing a day with `first`..`last` (one query)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    rows = session.scalars(
        select(Absence)
        .where(
            Absence.person_id.in_(wanted),
            Absence.cancelled_at.is_(None),
            Absence.starts_on <= last,
            Absence.ends_on >= first,
        )
        .options(joinedload(Absence.cover))
        .order_by(Absence.starts_on)
    ).all()
    found: dict[int, list[Absence]] = {}
    for row in rows:
        found.setdefault(row.person_id, []).append(row)
    return found


def absences_from(session: Session, person_id: int, day: date) -> list[Absence]:
    """The person's absences that have not ended by `day`: the current one, then those to come."""
    return list(
        session.scalars(
            select(Absence)
            .where(
                Absence.person_id == person_id,
                Absence.cancelled_at.is_(None),
                Absence.ends_on >= day,
            )
            .options(joinedload(Absence.cover))
            .order_by(Absence.starts_on)
        )
    )


def overlapping(session: Session, person_id: int, starts_on: date, ends_on: date) -> Absence | None:
    """The person's first absence that shares a day with `starts_on`..`ends_on`, if any."""
    return session.scalar(
        select(Absence)
        .where(
            Absence.person_id == person_id,
            Absence.cancelled_at.is_(None),
            Absence.starts_on <= ends_on,
            Absence.ends_on >= starts_on,
        )
        .options(joinedload(Absence.cover))
        .order_by(Absence.starts_on)
        .limit(1)
    )
