"""Absences as shown, and what they mean for chasing: back on which day, and who covers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from commands.documents.views import PersonView, person_view
from commands.language.workdays import WorkingCalendar
from storage.absences import absence_on
from storage.models import Absence, Person

MAX_MONTHS = 6  # an absence longer than this is more likely a mistyped date than leave


@dataclass(frozen=True)
class AbsenceView:
    """One absence: who, from and to (inclusive), back on which working day, and the cover."""

    person: PersonView
    starts_on: date
    ends_on: date
    back_on: date
    cover: PersonView | None


def back_on(ends_on: date, calendar: WorkingCalendar) -> date:
    """The first working day after an absence ends: when chasing the person resumes."""
    return calendar.next_working_day(ends_on)


def absence_view(absence: Absence, calendar: WorkingCalendar) -> AbsenceView:
    """The view of an absence."""
    return AbsenceView(
        person=person_view(absence.person),
        starts_on=absence.starts_on,
        ends_on=absence.ends_on,
        back_on=back_on(absence.ends_on, calendar),
        cover=person_view(absence.cover) if absence.cover else None,
    )


def away_on(absences: Iterable[Absence], day: date) -> Absence | None:
    """The absence among these that includes `day`."""
    return next((a for a in absences if a.starts_on <= day <= a.ends_on), None)


def away_view_on(
    session: Session, person: Person, day: date, calendar: WorkingCalendar
) -> AbsenceView | None:
    """The view of the person's absence that includes `day` (their local date), if any."""
    absence = absence_on(session, person.id, day)
    return absence_view(absence, calendar) if absence else None
