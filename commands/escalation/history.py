"""Disagreements as a decision's record shows them: raised, stage reached, outcome, by a moment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from commands.documents.views import EscalationView, person_view
from commands.escalation.disagreements import OUTCOME_LABELS
from commands.escalation.protocols import protocol
from storage.models import Disagreement, Person


def escalations_by_decision(
    session: Session, decision_ids: Iterable[int], until: datetime | None = None
) -> dict[int, list[EscalationView]]:
    """Each decision's disagreements as they stood at `until` (now when None), in one query."""
    wanted = list(decision_ids)
    if not wanted:
        return {}
    found: dict[int, list[EscalationView]] = {}
    query = (
        select(Disagreement)
        .where(Disagreement.decision_id.in_(wanted))
        .options(
            joinedload(Disagreement.raised_by).joinedload(Person.agency),
            selectinload(Disagreement.steps),
        )
        .order_by(Disagreement.id)
    )
    for item in session.scalars(query).unique():
        if until is not None and item.opened_at > until:
            continue
        stages = [s.stage for s in item.steps if until is None or s.at <= until]
        stage = max(stages, default=1)
        resolved = item.resolved_at is not None and (until is None or item.resolved_at <= until)
        found.setdefault(item.decision_id, []).append(
            EscalationView(
                ref=item.ref,
                raised_by=person_view(item.raised_by),
                opened_at=item.opened_at,
                stage=stage,
                stage_title=protocol(item.protocol).stage(stage).title,
                outcome=OUTCOME_LABELS.get(item.outcome or "") if resolved else None,
                outcome_text=item.outcome_text if resolved else None,
                resolved_at=item.resolved_at if resolved else None,
            )
        )
    return found
