"""Cancelling one occurrence of a series schedules the next; `cancel M3 series` ends it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import Meeting
from tests.conftest import Console

NEW = "/mdt new Complex case panel case CC-12 on 8/2/2027 at 10:00 every 2 weeks with @sam"


def meetings(console: Console) -> list[tuple[int, str, datetime]]:
    with console.store.transaction(console.session.now) as session:
        rows = session.scalars(select(Meeting).order_by(Meeting.number)).all()
        return [(m.number, m.status, m.starts_at) for m in rows]


def test_cancelling_an_occurrence_schedules_the_next(console: Console) -> None:
    console(NEW)
    printed = console("/mdt cancel M1 room unavailable")
    assert "M1 Complex case panel on Mon 8 Feb 2027 10:00 is cancelled: room unavailable." in (
        printed
    )
    assert "The series goes on." in printed
    assert "[DM @sam] You are invited to M2 Complex case panel, Mon 22 Feb 2027 10:00" in printed
    assert meetings(console) == [
        (1, "cancelled", datetime(2027, 2, 8, 10, 0, tzinfo=UTC)),
        (2, "scheduled", datetime(2027, 2, 22, 10, 0, tzinfo=UTC)),
    ]


def test_cancelling_with_series_ends_the_series(console: Console) -> None:
    console(NEW)
    printed = console("/mdt cancel M1 series the person has moved out of area")
    assert "is cancelled: the person has moved out of area. The series ends here." in printed
    assert "M2" not in printed
    assert meetings(console) == [(1, "cancelled", datetime(2027, 2, 8, 10, 0, tzinfo=UTC))]


def test_a_one_off_meeting_cancelled_with_the_word_series_keeps_it_as_the_reason(
    console: Console,
) -> None:
    console("/mdt new Strategy discussion on 8/2/2027 at 10:00 with @sam")
    printed = console("/mdt cancel M1 series of events overtook it")
    assert "is cancelled: series of events overtook it." in printed
    assert "series goes on" not in printed
    assert [m[:2] for m in meetings(console)] == [(1, "cancelled")]
