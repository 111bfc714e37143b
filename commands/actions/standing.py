"""How an action stands, in one place: its SMART letters, whether it is SMART, done on time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from commands.language.smart import SmartCheck
from storage.models import Action
from storage.status import ActionStatus


def letters(action: Action) -> dict[str, bool]:
    """Each SMART letter of a recorded action and whether it holds (A once its owner accepts)."""
    return SmartCheck(
        specific=action.specific,
        measurable=action.measurable,
        achievable=action.accepted,
        relevant=action.relevant,
        time_bound=action.time_bound,
    ).letters


def is_smart(action: Action) -> bool:
    """Every letter holds."""
    return all(letters(action).values())


def on_time(action: Action, zone: ZoneInfo) -> bool:
    """Done on or before its due date, as the day was in `zone`."""
    return (
        action.status == ActionStatus.DONE
        and action.completed_at is not None
        and action.completed_at.astimezone(zone).date() <= action.due
    )
