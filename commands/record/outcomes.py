"""A decision's record: who disagreed and why, and whether a later meeting ratified it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session, object_session

from commands.documents.views import (
    DecisionView,
    DissentView,
    PersonView,
    RatificationView,
    decision_view,
    person_view,
)
from commands.escalation.history import escalations_by_decision
from storage.models import Decision, Dissent, Meeting, Person


def _after_end(decision: Decision, at: datetime) -> bool:
    closed = decision.meeting.closed_at
    return closed is not None and at > closed


def dissent_views(decision: Decision, until: datetime | None = None) -> list[DissentView]:
    """The dissents recorded on a decision, up to `until` when given."""
    return [
        DissentView(
            person=_as_then(d),
            reason=d.reason,
            at=d.created_at,
            late=_after_end(decision, d.created_at),
            escalate=d.escalate,
        )
        for d in decision.dissents
        if until is None or d.created_at <= until
    ]


def _as_then(dissent: Dissent) -> PersonView:
    """The dissenting person with the agency they spoke for then (today's, for older rows)."""
    now = person_view(dissent.person)
    if dissent.agency is None:
        return now
    return replace(now, agency=dissent.agency, sector=dissent.sector)


def ratification_view(decision: Decision, until: datetime | None = None) -> RatificationView | None:
    """The ratification (or refusal) of a decision, if made by `until`."""
    if decision.ratification is None or decision.ratified_at is None:
        return None
    if until is not None and decision.ratified_at > until:
        return None
    own = _session_of(decision)
    meeting = own.get(Meeting, decision.ratified_in_id) if decision.ratified_in_id else None
    by = own.get(Person, decision.ratified_by_id) if decision.ratified_by_id else None
    assert by is not None
    return RatificationView(
        outcome=decision.ratification,
        at=decision.ratified_at,
        by=person_view(by),
        meeting_ref=meeting.ref if meeting else "",
        reason=decision.ratification_reason,
    )


def _session_of(decision: Decision) -> Session:
    session = object_session(decision)
    assert session is not None
    return session


def decision_record(decision: Decision, until: datetime | None = None) -> DecisionView:
    """A decision's view with its dissents and ratification up to `until`."""
    view = decision_view(0, decision)
    return replace(
        view,
        meeting_ref=decision.meeting.ref,
        late=_after_end(decision, decision.created_at),
        dissents=dissent_views(decision, until),
        ratification=ratification_view(decision, until),
        escalations=escalations_by_decision(_session_of(decision), [decision.id], until).get(
            decision.id, []
        ),
    )
