"""The reminder policy as pure functions: action facts, a calendar and a zone in, moments out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from commands.language.workdays import WorkingCalendar

Kind = Literal["before", "due", "chaser"]


class PolicyError(ValueError):
    """A stored or given reminder policy that does not make sense; the message says why."""


@dataclass(frozen=True)
class ReminderPolicy:
    """When owners are reminded and chased (CONTRACT section 6); configurable per workspace."""

    before_days: int = 2
    on_due_date: bool = True
    chase_every: int = 2
    escalate_from: int = 2
    max_chasers: int | None = None
    window_start: time = time(9)
    window_end: time = time(17)

    def __post_init__(self) -> None:
        if self.before_days < 0:
            raise PolicyError("before_days must be 0 (no reminder before) or more")
        if self.chase_every < 1:
            raise PolicyError("chase_every must be at least 1 working day")
        if self.escalate_from < 1:
            raise PolicyError("escalate_from must be at least 1 (the first chaser)")
        if self.max_chasers is not None and self.max_chasers < 0:
            raise PolicyError("max_chasers must be 0 or more, or unset for no limit")
        if self.window_start >= self.window_end:
            raise PolicyError("window_start must be before window_end")

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe form for storing on the workspace."""
        data = asdict(self)
        data["window_start"] = self.window_start.strftime("%H:%M")
        data["window_end"] = self.window_end.strftime("%H:%M")
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ReminderPolicy:
        """A policy from its stored form; missing keys take the defaults."""
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PolicyError(f"unknown reminder policy settings: {', '.join(unknown)}")
        values = dict(data)
        try:
            for name in ("window_start", "window_end"):
                if name in values:
                    values[name] = time.fromisoformat(str(values[name]))
            for name in ("before_days", "chase_every", "escalate_from"):
                if name in values:
                    values[name] = int(values[name])
            if values.get("max_chasers") is not None:
                values["max_chasers"] = int(values["max_chasers"])
            if "on_due_date" in values:
                values["on_due_date"] = bool(values["on_due_date"])
        except (TypeError, ValueError) as error:
            raise PolicyError(f"bad reminder policy setting: {error}") from None
        return cls(**values)


DEFAULT_POLICY = ReminderPolicy()


@dataclass(frozen=True)
class Planned:
    """One reminder the policy promises: what kind, which chaser, and when (UTC)."""

    kind: Kind
    number: int
    at: datetime
    escalate: bool = False

    @property
    def label(self) -> str:
        """`before`, `due` or `chaser3`."""
        return f"chaser{self.number}" if self.kind == "chaser" else self.kind

    def key(self, action_id: int, due: date) -> str:
        """The idempotency key: action, kind and due date."""
        return f"{action_id}:{self.label}:{due.isoformat()}"


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the reminder policy")
    return moment.astimezone(zone)


def in_window(
    moment: datetime, zone: ZoneInfo, calendar: WorkingCalendar, policy: ReminderPolicy
) -> bool:
    """The moment falls on a working day within the delivery hours of the zone."""
    local = _local(moment, zone)
    start, end = policy.window_start, policy.window_end
    return calendar.is_working_day(local.date()) and start <= local.time() < end


def morning(
    day: date, zone: ZoneInfo, calendar: WorkingCalendar, policy: ReminderPolicy
) -> datetime:
    """The start of delivery hours on the day, or on the next working day if it is not one."""
    working = calendar.on_or_next_working_day(day)
    return datetime.combine(working, policy.window_start, tzinfo=zone).astimezone(UTC)


def next_delivery(
    moment: datetime, zone: ZoneInfo, calendar: WorkingCalendar, policy: ReminderPolicy
) -> datetime:
    """The moment itself when within delivery hours, otherwise the next working morning."""
    if in_window(moment, zone, calendar, policy):
        return moment.astimezone(UTC)
    local = _local(moment, zone)
    if calendar.is_working_day(local.date()) and local.time() < policy.window_start:
        return morning(local.date(), zone, calendar, policy)
    return morning(calendar.next_working_day(local.date()), zone, calendar, policy)


def due_reminder_day(due: date, calendar: WorkingCalendar) -> date:
    """The day of the due-date reminder: the due date, or the working day before it when the
    due date is on a weekend or bank holiday."""
    return due if calendar.is_working_day(due) else calendar.add_working_days(due, -1)


def _chasers(
    due: date, zone: ZoneInfo, calendar: WorkingCalendar, policy: ReminderPolicy
) -> Iterator[Planned]:
    number = 0
    while policy.max_chasers is None or number < policy.max_chasers:
        number += 1
        day = calendar.add_working_days(due, number * policy.chase_every)
        yield Planned(
            "chaser",
            number,
            morning(day, zone, calendar, policy),
            escalate=number >= policy.escalate_from,
        )


def plan(
    due: date,
    told_at: datetime,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
    *,
    now: datetime,
    ahead: int = 2,
) -> list[Planned]:
    """The reminders an action due on `due`, whose owner was told at `told_at`, is owed.

    Reminders at or before the telling, or on the day the owner was told, are left out (the
    owner has just heard). Chasers run on for as long as the action is open; this lists those
    due by `now` and the next `ahead` after it.
    """
    told_day = _local(told_at, zone).date()
    found: list[Planned] = []
    if policy.before_days:
        day = calendar.add_working_days(due, -policy.before_days)
        found.append(Planned("before", 0, morning(day, zone, calendar, policy)))
    if policy.on_due_date:
        day = due_reminder_day(due, calendar)
        found.append(Planned("due", 0, morning(day, zone, calendar, policy)))
    found = [p for p in found if p.at > told_at and _local(p.at, zone).date() > told_day]
    later = 0
    for chaser in _chasers(due, zone, calendar, policy):
        if chaser.at > now:
            if later >= ahead:
                break
            later += 1
        if chaser.at > told_at:
            found.append(chaser)
    return found


def briefing_at(
    starts_at: datetime, zone: ZoneInfo, calendar: WorkingCalendar, policy: ReminderPolicy
) -> datetime:
    """When the chair hears of outstanding actions: the working morning before the meeting."""
    day = _local(starts_at, zone).date() - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, policy.window_start, tzinfo=zone).astimezone(UTC)
