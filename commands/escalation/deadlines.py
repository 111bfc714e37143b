"""When a stage's time runs out: the end of the working day, N working days after it opened."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from commands.language.workdays import WorkingCalendar

END_OF_DAY = time(17)


def stage_deadline(
    opened: datetime,
    working_days: int,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    *,
    end_of_day: time = END_OF_DAY,
) -> datetime:
    """The close of the Nth working day after the day the stage opened, in `zone`, as UTC.

    A stage opened on Thu 24 Dec 2026 with 2 working days runs to Wed 30 Dec 17:00 (Christmas,
    the weekend and the substitute Boxing Day do not count).
    """
    if opened.tzinfo is None:
        raise ValueError("naive datetime given for a stage's opening")
    day = calendar.add_working_days(opened.astimezone(zone).date(), working_days)
    return datetime.combine(day, end_of_day, tzinfo=zone).astimezone(UTC)
