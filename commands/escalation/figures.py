"""What reviews say of professional disagreements: how many, resolved at which stage, how long."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from commands.escalation.disagreements import OPEN
from commands.reminders.rows import working_calendar
from storage.models import Disagreement, DisagreementMember, Meeting, Person, Workspace


@dataclass(frozen=True)
class DisagreementFigures:
    """Disagreements raised about the decisions of some meetings."""

    raised: int
    still_open: int
    resolved_at: tuple[tuple[int, int], ...]
    median_days: float | None
    agency: str | None
    agency_count: int


def disagreement_figures(
    session: Session, meetings: Sequence[Meeting]
) -> DisagreementFigures | None:
    """Figures for the disagreements about these meetings' decisions (None if none)."""
    if not meetings:
        return None
    found = list(
        session.scalars(
            select(Disagreement)
            .where(Disagreement.meeting_id.in_([m.id for m in meetings]))
            .options(
                selectinload(Disagreement.members)
                .joinedload(DisagreementMember.person)
                .joinedload(Person.agency)
            )
            .order_by(Disagreement.id)
        )
    )
    if not found:
        return None
    workspace = session.get(Workspace, meetings[0].workspace_id)
    calendar = working_calendar(workspace.holidays_nation if workspace else "England and Wales")
    resolved = [d for d in found if d.status != OPEN and d.resolved_at is not None]
    stages = Counter(d.stage for d in resolved)
    days = [
        calendar.working_days_between(d.opened_at.date(), d.resolved_at.date())
        for d in resolved
        if d.resolved_at is not None
    ]
    agencies = Counter(
        agency
        for d in found
        for agency in {
            m.person.agency.name
            for m in d.members
            if m.role != "chair" and m.person.agency is not None
        }
    )
    common = agencies.most_common(1)
    agency, count = common[0] if common and common[0][1] >= 2 else (None, 0)
    return DisagreementFigures(
        raised=len(found),
        still_open=len(found) - len(resolved),
        resolved_at=tuple(sorted(stages.items())),
        median_days=median(days) if days else None,
        agency=agency,
        agency_count=count,
    )
