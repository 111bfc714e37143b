"""The worker's step for disagreements: when a stage's time runs out, tell those involved.

Stage notices are rows claimed under a lease, like reminders, so several workers never send one
twice; each person's message waits for their working hours (their own zone, the workspace's bank
holidays), and nothing goes once the disagreement is resolved or has moved to another stage.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload

from commands.documents.views import person_view
from commands.escalation.disagreements import OPEN, disagreement_view
from commands.outbox.queue import dm_to, enqueue
from commands.reminders.policy import next_delivery
from commands.reminders.rows import policy_for, working_calendar, zone_of
from storage.db import Store
from storage.models import Disagreement, DisagreementStep, StageNotice, Workspace

log = logging.getLogger(__name__)


def claim_stage_notices(
    session: Session, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[int]:
    """Claim up to `limit` pending stage notices due by `now`; their ids."""
    free = or_(StageNotice.claimed_until.is_(None), StageNotice.claimed_until < now)
    candidates = (
        select(StageNotice.id)
        .where(StageNotice.status == "pending", StageNotice.due_at <= now, free)
        .order_by(StageNotice.due_at, StageNotice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    picked = list(session.scalars(candidates))
    if not picked:
        return []
    claim = (
        update(StageNotice)
        .where(StageNotice.id.in_(picked), StageNotice.status == "pending", free)
        .values(claimed_by=worker, claimed_until=now + lease)
        .returning(StageNotice.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(session.scalars(claim))


class StageSweep:
    """Turns due stage notices into direct messages in the outbox, once each."""

    def __init__(
        self, store: Store, worker_id: str, *, lease: timedelta = timedelta(minutes=5)
    ) -> None:
        self.store = store
        self.worker_id = worker_id
        self.lease = lease

    def __call__(self, now: datetime) -> int:
        """One pass as at `now`; how many notices were settled."""
        settled = 0
        while True:
            with self.store.transaction(now) as session:
                ids = claim_stage_notices(session, self.worker_id, now, self.lease, 50)
            if not ids:
                return settled
            for notice_id in ids:
                try:
                    with self.store.transaction(now) as session:
                        self._settle(session, notice_id, now)
                    settled += 1
                except Exception:
                    log.exception("stage notice %s left for a later sweep", notice_id)

    def _settle(self, session: Session, notice_id: int, now: datetime) -> None:
        notice = session.scalar(
            select(StageNotice)
            .where(
                StageNotice.id == notice_id,
                StageNotice.claimed_by == self.worker_id,
                StageNotice.status == "pending",
            )
            .with_for_update()
        )
        if notice is None:
            return
        item = session.scalar(
            select(Disagreement)
            .where(Disagreement.id == notice.disagreement_id)
            .options(joinedload(Disagreement.meeting), joinedload(Disagreement.decision))
        )
        notice.claimed_by = notice.claimed_until = None
        notice.settled_at = now
        if item is None or item.status != OPEN or item.stage != notice.stage:
            notice.status = "cancelled"
            return
        notice.status = "sent"
        workspace = session.get(Workspace, item.workspace_id)
        if workspace is None:
            return
        session.add(
            DisagreementStep(disagreement_id=item.id, kind="overdue", stage=item.stage, at=now)
        )
        self._tell(session, workspace, item, notice, now)

    def _tell(
        self,
        session: Session,
        workspace: Workspace,
        item: Disagreement,
        notice: StageNotice,
        now: datetime,
    ) -> None:
        view = disagreement_view(item)
        calendar = working_calendar(workspace.holidays_nation)
        policy = policy_for(session, workspace.id)
        for member in item.members:
            if member.stage <= item.stage:
                template = "escalation:overdue_notice"
            elif member.stage == item.stage + 1:
                template = "escalation:coming_notice"
            else:
                continue
            person = member.person
            zone = zone_of(person, workspace)
            message = dm_to(person, workspace, template, item=view, you=person_view(person))
            row = enqueue(
                session,
                workspace,
                message,
                key=f"{notice.key}:{person.id}",
                now=now,
                person_id=person.id,
            )
            row.next_at = max(now, next_delivery(notice.due_at, zone, calendar, policy))
