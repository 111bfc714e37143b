"""What happened to an action after it was agreed: its history, replayed up to a moment."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from commands.documents.views import ActionView, PersonView, action_view, person_view
from storage.models import Action, ActionUpdate
from storage.status import ActionStatus

# The kinds of history entry, in the words the minutes and `/mdt show A17` use.
STATE_CHANGES = frozenset({"done", "cancelled", "extension", "reassignment", "accepted"})
REASON_KINDS = ("circumstances changed", "agency did not act")


@dataclass(frozen=True)
class HistoryEntry:
    """One dated step in an action's life after it was agreed."""

    at: datetime
    kind: str
    by: PersonView
    note: str | None = None
    old_due: date | None = None
    new_due: date | None = None
    old_owner: PersonView | None = None
    new_owner: PersonView | None = None
    reason_kind: str | None = None


@dataclass(frozen=True)
class ActionRecord:
    """An action as agreed, as it stands at a moment, and the history between."""

    agreed: ActionView
    now: ActionView
    history: list[HistoryEntry]
    meeting_ref: str
    meeting_title: str

    @property
    def changed(self) -> bool:
        """Anything happened since it was agreed."""
        return bool(self.history)


def entry(update: ActionUpdate) -> HistoryEntry:
    """The history entry of one stored update."""
    return HistoryEntry(
        at=update.created_at,
        kind=update.kind,
        by=person_view(update.author),
        note=update.note,
        old_due=update.old_due,
        new_due=update.new_due,
        old_owner=person_view(update.old_owner) if update.old_owner else None,
        new_owner=person_view(update.new_owner) if update.new_owner else None,
        reason_kind=update.reason_kind,
    )


def entries(action: Action, until: datetime | None = None) -> list[HistoryEntry]:
    """The action's history in order, up to and including `until` when given."""
    found = [entry(u) for u in action.updates]
    found.sort(key=lambda e: e.at)
    return [e for e in found if until is None or e.at <= until]


def as_agreed(action: Action, today: date) -> ActionView:
    """The action as it was recorded: the first extension and reassignment are unwound."""
    view = action_view(action, today)
    history = entries(action)
    first_due = next((e.old_due for e in history if e.kind == "extension" and e.old_due), None)
    first_owner = next(
        (e.old_owner for e in history if e.kind == "reassignment" and e.old_owner), None
    )
    return replace(
        view,
        due=first_due or view.due,
        owner=first_owner or view.owner,
        status=ActionStatus.OPEN,
        accepted=False,
        letters={**view.letters, "A": False},
        overdue=False,
        extension_requested=None,
        extension_reason=None,
    )


def replay(agreed: ActionView, history: list[HistoryEntry], today: date) -> ActionView:
    """The action as it stands after the given history, with overdue worked out for `today`."""
    state = agreed
    for step in history:
        if step.kind == "accepted":
            state = replace(state, accepted=True, letters={**state.letters, "A": True})
        elif step.kind == "extension" and step.new_due:
            state = replace(state, due=step.new_due)
        elif step.kind == "reassignment" and step.new_owner:
            state = replace(
                state, owner=step.new_owner, accepted=False, letters={**state.letters, "A": False}
            )
        elif step.kind in {"done", "cancelled"}:
            state = replace(state, status=step.kind)
    return replace(state, overdue=state.status == ActionStatus.OPEN and state.due < today)


def action_record(
    action: Action, today: date, *, agreed: ActionView | None = None, until: datetime | None = None
) -> ActionRecord:
    """An action's record: as agreed (from the meeting's snapshot when given) and since."""
    start = agreed or as_agreed(action, today)
    history = entries(action, until)
    return ActionRecord(
        agreed=start,
        now=replay(start, history, today),
        history=history,
        meeting_ref=action.meeting.ref,
        meeting_title=action.meeting.title,
    )
