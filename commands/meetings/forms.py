"""The new-meeting form of Slack and Teams: its fields read into a `NewMeeting` and scheduled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from commands.context import Context
from commands.language.dates import DateError, parse_date, parse_duration, parse_time
from commands.language.grammar import clean_text
from commands.meetings.scheduling import NEW_EXAMPLE, NewMeeting, schedule_meeting
from storage.models import Meeting


@dataclass(frozen=True)
class MeetingForm:
    """A submitted new-meeting form: each field as typed or picked, people as mention tokens."""

    title: str
    date: str = ""
    time: str = ""
    duration: str = ""
    kind: str = ""
    case: str = ""
    invitees: tuple[str, ...] = ()

    def texts(self) -> tuple[str, ...]:
        """The free texts of the form, for the personal-data guard."""
        return (self.title, self.case, self.duration)


def schedule_from_form(ctx: Context, form: MeetingForm) -> Meeting:
    """Read a form's fields as `/mdt new` reads its clauses, and schedule the meeting."""
    title = clean_text(form.title, what="the meeting details")
    problem = None
    day: date | None = None
    start: time | None = None
    length: timedelta | None = None
    try:
        day = parse_date(form.date, ctx.today, ctx.calendar) if form.date.strip() else None
    except DateError as error:
        problem = error.message
    try:
        start = parse_time(form.time) if form.time.strip() else None
    except DateError as error:
        problem = problem or error.message
    try:
        length = parse_duration(form.duration) if form.duration.strip() else None
    except DateError as error:
        ctx.fail("bad_when", problem=error.message, example=NEW_EXAMPLE)
    return schedule_meeting(
        ctx,
        NewMeeting(
            title=title,
            day=day,
            start=start,
            length=length,
            kind=form.kind.strip() or None,
            case=form.case.strip() or None,
            invitees=tuple(ctx.mentioned(token) for token in form.invitees),
            problem=problem,
        ),
    )
