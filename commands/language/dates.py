"""Parse and format the dates, times, durations and intervals typed in chat.

The grammar is small and strict: a phrase that is not understood raises
`DateError` with a message that says what was wrong and shows an example.

Weekdays: `friday`, `on friday` and `this friday` mean the next Friday
strictly after today (said on a Friday, a week today); `next friday` means
the Friday of next week, the week that starts next Monday. See WEEKDAY_RULE.

Year-less dates (`1 Dec`, `1/12`) fall in the first year in which that day
and month are on or after today; `29/2` in a year without one is an error.
Numeric dates are day first: `1/12/2026` is 1 December 2026.

Clock changes: `parse_when` builds wall times with fold=0. A time that does
not exist (in the spring-forward gap) is read with the offset in force before
the change, so 01:30 on 28 Mar 2027 in London is 01:30 GMT, shown as 02:30
BST. An ambiguous time (in the autumn repeat) is the first of the two, still
in summer time: 01:30 on 31 Oct 2027 in London is 01:30 BST (+01:00).
"""

from __future__ import annotations

import calendar as _calendar
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from commands.language.workdays import WorkingCalendar

WEEKDAY_RULE = (
    "A day name on its own, such as 'friday' or 'this friday', means the next "
    "Friday after today (said on a Friday, that is a week today); "
    "'next friday' means the Friday of next week, the week starting next Monday."
)

DATE_EXAMPLES = (
    "1/12/2026, 1 Dec, 1 December 2026, tomorrow, friday, next friday, "
    "in 3 days, in 5 working days or end of month"
)
TIME_EXAMPLES = "10am, 2.30pm, 09:30, 14:30 or noon"
WHEN_EXAMPLES = "tomorrow at 10am, 1/12/2026 14:30 or friday 2pm"
DURATION_EXAMPLES = "30m, 45 minutes, 1h, 1h30 or 1.5 hours"
INTERVAL_EXAMPLES = (
    "every week, every 2 weeks, fortnightly, every 4 weeks, monthly or every 3 months"
)

_T = TypeVar("_T")

MAX_DURATION = timedelta(hours=12)
MAX_INTERVAL_WEEKS = 52
MAX_INTERVAL_MONTHS = 12

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_MONTH_NAMES = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_FULL_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

WEEKDAYS: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(_FULL_DAY_NAMES)},
    **{name.lower(): i for i, name in enumerate(_DAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
MONTHS: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(_FULL_MONTH_NAMES, start=1)},
    **{name.lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


def _alternatives(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_WEEKDAY = f"(?P<weekday>{_alternatives(WEEKDAYS)})"
_MONTH = f"(?P<month>{_alternatives(MONTHS)})"
_NUMBER = rf"(?P<number>\d{{1,3}}|{_alternatives(_NUMBER_WORDS)})"
_ORDINAL = r"(?:st|nd|rd|th)?"

_ISO_DATE = re.compile(r"(?P<year>\d{4})([-/])(?P<month>\d{1,2})\2(?P<day>\d{1,2})")
_NUMERIC_DATE = re.compile(
    r"(?P<day>\d{1,2})(?P<sep>[/-])(?P<month>\d{1,2})(?:(?P=sep)(?P<year>\d{2}|\d{4}))?"
    r"|(?P<dday>\d{1,2})\.(?P<dmonth>\d{1,2})\.(?P<dyear>\d{2}|\d{4})"
)
_DAY_MONTH = re.compile(
    rf"(?:the\s+)?(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?"
)
_MONTH_DAY = re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL}(?:,?\s+(?P<year>\d{{4}}))?")
_WITH_WEEKDAY = re.compile(rf"{_WEEKDAY},?\s+(?P<rest>.+)")
_THIS_WEEKDAY = re.compile(rf"(?:this\s+)?{_WEEKDAY}")
_NEXT_WEEKDAY = re.compile(rf"next\s+{_WEEKDAY}")
_RELATIVE = re.compile(
    rf"(?:in|within)\s+{_NUMBER}\s+"
    r"(?P<unit>days?|weeks?|fortnights?|months?|(?:working|business)\s+days?)"
)
_END_OF = re.compile(
    r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?(?P<unit>week|month)"
)
_LEADING_WORD = re.compile(r"^(?:on|by)\s+")


class DateError(ValueError):
    """A typed date, time, duration or interval that cannot be used; `.message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _UnrecognisedError(DateError):
    """The phrase did not match any known form (as opposed to being invalid)."""


@dataclass(frozen=True)
class Interval:
    """How often a meeting repeats: a number of weeks or of months."""

    weeks: int = 0
    months: int = 0

    def __post_init__(self) -> None:
        if min(self.weeks, self.months) < 0 or (self.weeks > 0) == (self.months > 0):
            raise ValueError("An interval needs a number of weeks or of months, not both.")

    def describe(self) -> str:
        """Say it in words: 'every 4 weeks', 'every month'."""
        count, unit = (self.weeks, "week") if self.weeks else (self.months, "month")
        return f"every {unit}" if count == 1 else f"every {count} {unit}s"

    def after(self, d: date) -> date:
        """Return the next date in the series after `d`.

        Months keep the day of the month, moved back to the month's last day
        when that month is shorter (31 Jan -> 28 Feb).
        """
        if self.weeks:
            return d + timedelta(weeks=self.weeks)
        return add_months(d, self.months)


def add_months(d: date, months: int) -> date:
    """Move `d` by whole months, clamping the day to the end of the month."""
    year, month_index = divmod(d.month - 1 + months, 12)
    year += d.year
    last_day = _calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(d.day, last_day))


def _normalise(text: str) -> str:
    phrase = " ".join(text.lower().split())
    return _LEADING_WORD.sub("", phrase, count=1)


def _quoted(text: str) -> str:
    return f"'{' '.join(text.split())}'"


# Dates ----------------------------------------------------------------------


def _not_understood_date(text: str) -> DateError:
    return _UnrecognisedError(
        f"I could not understand the date {_quoted(text)}. Try, for example, {DATE_EXAMPLES}."
    )


def _end_of_month(d: date) -> date:
    return d.replace(day=_calendar.monthrange(d.year, d.month)[1])


def _next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _this_weekday(today: date, weekday: int) -> date:
    """The first given weekday strictly after today."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _next_weekday(today: date, weekday: int) -> date:
    """The given weekday in the week starting next Monday."""
    return _next_monday(today) + timedelta(days=weekday)


def _build_date(phrase: str, day: int, month: int, year: int) -> date:
    if not 1 <= month <= 12:
        raise DateError(
            f"The date {_quoted(phrase)} does not exist: there is no month {month}. "
            "Dates are day first, for example 1/12/2026 for 1 December 2026."
        )
    if year < 1:
        raise DateError(f"The date {_quoted(phrase)} does not exist. For example, try 1/12/2026.")
    days_in_month = _calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        month_name = _FULL_MONTH_NAMES[month - 1]
        example = min(max(day, 1), days_in_month)
        raise DateError(
            f"The date {_quoted(phrase)} does not exist: {month_name} {year} has "
            f"{days_in_month} days. For example, try {example}/{month}/{year}."
        )
    return date(year, month, day)


def _resolve(phrase: str, day: int, month: int, year: int | None, today: date) -> date:
    """Build the date; without a year, take the next occurrence on or after today."""
    if year is None:
        year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    elif year < 100:
        year += 2000
    return _build_date(phrase, day, month, year)


def _parse_absolute(phrase: str, today: date, calendar: WorkingCalendar) -> date | None:
    """Parse a calendar date such as 2026-12-01, 1/12/2026 or 1 Dec 2026."""
    if match := _ISO_DATE.fullmatch(phrase):
        return _build_date(phrase, int(match["day"]), int(match["month"]), int(match["year"]))
    if match := _NUMERIC_DATE.fullmatch(phrase):
        day, month, year = (
            (match["day"], match["month"], match["year"])
            if match["day"]
            else (match["dday"], match["dmonth"], match["dyear"])
        )
        return _resolve(phrase, int(day), int(month), _optional_int(year), today)
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        if match := pattern.fullmatch(phrase):
            month = MONTHS[match["month"]]
            year = _optional_int(match["year"])
            return _resolve(phrase, int(match["day"]), month, year, today)
    return None


def _optional_int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _parse_with_weekday(phrase: str, today: date, calendar: WorkingCalendar) -> date | None:
    """Parse 'Thu 3 Dec 2026', checking that the weekday agrees with the date."""
    match = _WITH_WEEKDAY.fullmatch(phrase)
    if match is None:
        return None
    found = _parse_absolute(match["rest"], today, calendar)
    if found is None:
        return None
    said = WEEKDAYS[match["weekday"]]
    if found.weekday() != said:
        raise DateError(
            f"{format_date(found)[4:]} is a {_FULL_DAY_NAMES[found.weekday()]}, "
            f"not a {_FULL_DAY_NAMES[said]}. Check the date, for example "
            f"{format_date(found)}."
        )
    return found


def _parse_keyword(phrase: str, today: date, calendar: WorkingCalendar) -> date | None:
    offsets = {"today": 0, "tomorrow": 1}
    return today + timedelta(days=offsets[phrase]) if phrase in offsets else None


def _parse_weekday(phrase: str, today: date, calendar: WorkingCalendar) -> date | None:
    if match := _THIS_WEEKDAY.fullmatch(phrase):
        return _this_weekday(today, WEEKDAYS[match["weekday"]])
    if match := _NEXT_WEEKDAY.fullmatch(phrase):
        return _next_weekday(today, WEEKDAYS[match["weekday"]])
    return None


def _parse_relative(phrase: str, today: date, calendar: WorkingCalendar) -> date | None:
    """Parse 'in 3 days', 'in a week', 'in 1 month', 'within 5 working days'."""
    match = _RELATIVE.fullmatch(phrase)
    if match is None:
        return None
    number = match["number"]
    count = _NUMBER_WORDS[number] if number in _NUMBER_WORDS else int(number)
    unit = match["unit"]
    if unit.startswith(("working", "business")):
        return calendar.add_working_days(today, count)
    if unit.startswith("month"):
        return add_months(today, count)
    days_per_unit = {"d": 1, "w": 7, "f": 14}[unit[0]]
    return today + timedelta(days=count * days_per_unit)


def _parse_end_of(phrase: str, today: date, calendar: WorkingCalendar) -> date | None:
    """Parse 'end of week' (a Friday), 'end of month' and their 'next' forms."""
    match = _END_OF.fullmatch(phrase)
    if match is None:
        return None
    if match["unit"] == "month":
        return _end_of_month(add_months(today.replace(day=1), 1 if match["next"] else 0))
    friday = WEEKDAYS["friday"]
    if match["next"]:
        end = _next_weekday(today, friday)
    elif today.weekday() <= friday:
        end = today + timedelta(days=friday - today.weekday())
    else:
        end = _this_weekday(today, friday)
    return _last_working_day_of_week(end, max(today, end - timedelta(days=4)), calendar)


def _last_working_day_of_week(friday: date, earliest: date, calendar: WorkingCalendar) -> date:
    """The week's Friday, or the working day before it when it is a bank holiday (Christmas)."""
    day = friday
    while not calendar.is_working_day(day) and day > earliest:
        day -= timedelta(days=1)
    return day if calendar.is_working_day(day) else friday


_DATE_PARSERS: tuple[Callable[[str, date, WorkingCalendar], date | None], ...] = (
    _parse_keyword,
    _parse_weekday,
    _parse_relative,
    _parse_end_of,
    _parse_absolute,
    _parse_with_weekday,
)


def parse_date(
    text: str, today: date, calendar: WorkingCalendar, *, looking_back: bool = False
) -> date:
    """Turn a typed date into a `date`, relative to `today`.

    A date without a year is the next one on or after today; `looking_back` (a review of a
    period) makes it the most recent one on or before today instead.
    Raises DateError for a phrase that is not understood or a date that does
    not exist.
    """
    phrase = _normalise(text)
    for parser in _DATE_PARSERS:
        found = parser(phrase, today, calendar)
        if found is not None:
            if looking_back and found > today and _without_year(phrase):
                with contextlib.suppress(ValueError):  # 29 Feb of a leap year stays
                    return found.replace(year=found.year - 1)
            return found
    raise _not_understood_date(text)


def _without_year(phrase: str) -> bool:
    """A calendar date written without its year (`1/1`, `1 Jan`)."""
    if match := _NUMERIC_DATE.fullmatch(phrase):
        return not (match["year"] if match["day"] else match["dyear"])
    return any(
        (match := pattern.fullmatch(phrase)) is not None and not match["year"]
        for pattern in (_DAY_MONTH, _MONTH_DAY)
    )


# Times ----------------------------------------------------------------------

_TIME_12H = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>[ap])\.?m\.?")
_TIME_24H = re.compile(r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})")
_NOON = re.compile(r"(?:12\s*)?(?:noon|midday)")


def _check_minute(phrase: str, minute: int) -> None:
    if minute > 59:
        raise DateError(
            f"{_quoted(phrase)} is not a valid time: minutes run from 00 to 59. "
            f"Try, for example, {TIME_EXAMPLES}."
        )


def _parse_12_hour(phrase: str, match: re.Match[str]) -> time:
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if not 1 <= hour <= 12:
        raise DateError(
            f"{_quoted(phrase)} is not a valid time: with am or pm the hour runs "
            "from 1 to 12. Try, for example, 1pm or 13:00."
        )
    _check_minute(phrase, minute)
    return time(hour % 12 + (12 if match["half"] == "p" else 0), minute)


def _parse_24_hour(phrase: str, match: re.Match[str]) -> time:
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23:
        raise DateError(
            f"{_quoted(phrase)} is not a valid time: hours run from 00 to 23. "
            f"Try, for example, {TIME_EXAMPLES}."
        )
    _check_minute(phrase, minute)
    return time(hour, minute)


def parse_time(text: str) -> time:
    """Turn a typed time such as '10am', '2.30pm' or '14:30' into a `time`."""
    phrase = " ".join(text.lower().split()).removeprefix("at ")
    if _NOON.fullmatch(phrase):
        return time(12, 0)
    if match := _TIME_12H.fullmatch(phrase):
        return _parse_12_hour(phrase, match)
    if match := _TIME_24H.fullmatch(phrase):
        return _parse_24_hour(phrase, match)
    raise _UnrecognisedError(
        f"I could not understand the time {_quoted(text)}. Use the 24-hour clock "
        f"or am/pm, for example {TIME_EXAMPLES}."
    )


# Dates with times -------------------------------------------------------------


def _combine(d: date, t: time, zone: ZoneInfo) -> datetime:
    """Attach the zone to a wall time (fold=0), normalising times in a gap."""
    wall = datetime.combine(d, t, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)


def _splits(phrase: str) -> list[tuple[str, str]]:
    """Every way to cut the phrase into (date, time), in either order."""
    words = phrase.split()
    pairs: list[tuple[str, str]] = []
    for cut in range(1, len(words)):
        first, rest = " ".join(words[:cut]), " ".join(words[cut:])
        pairs.append((first, rest.removeprefix("at ")))
        pairs.append((rest.removeprefix("on "), first))
    return pairs


def _is_time(phrase: str) -> bool:
    try:
        parse_time(phrase)
    except DateError:
        return False
    return True


def parse_when(
    text: str,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    default_time: time | None = None,
) -> datetime:
    """Turn a date with an optional time into an aware datetime in `zone`.

    Accepts '<date>', '<date> [at] <time>' and '<time> [on] <date>'. The date
    is read in `zone`. Without a time, `default_time` is used; if that is None
    a DateError asks for a time. Clock changes are handled as described in the
    module docstring (fold=0).
    """
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    today = now.astimezone(zone).date()
    phrase = _normalise(text)
    try:
        whole = parse_date(phrase, today, calendar)
    except DateError as error:
        whole_error = error
    else:
        return _combine(whole, _default_time(whole, default_time), zone)
    return _parse_date_and_time(phrase, today, zone, calendar, whole_error)


def _default_time(d: date, default_time: time | None) -> time:
    if default_time is None:
        raise DateError(
            f"Please give a time as well as the date, for example "
            f"{format_date(d)} at 10am or tomorrow at 14:30."
        )
    return default_time


def _parse_date_and_time(
    phrase: str,
    today: date,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    whole_error: DateError,
) -> datetime:
    found: set[datetime] = set()
    date_errors: list[DateError] = []
    time_errors: list[DateError] = []
    for date_part, time_part in _splits(phrase):
        t = _attempt(parse_time, time_part)
        d = _attempt(lambda p: parse_date(p, today, calendar), date_part)
        if isinstance(t, time) and isinstance(d, date):
            found.add(_combine(d, t, zone))
        elif isinstance(t, time) and not isinstance(d, _UnrecognisedError | date):
            date_errors.append(d)
        elif isinstance(d, date) and isinstance(t, DateError):
            time_errors.append(t)
    return _pick(phrase, found, date_errors + time_errors, whole_error)


def _attempt(parse: Callable[[str], _T], text: str) -> _T | DateError:
    """Return what `parse` gives, or the DateError it raises."""
    try:
        return parse(text)
    except DateError as error:
        return error


def _pick(
    phrase: str, found: set[datetime], errors: list[DateError], whole_error: DateError
) -> datetime:
    if len(found) == 1:
        return found.pop()
    if found:
        raise DateError(
            f"{_quoted(phrase)} can be read more than one way. "
            f"Please write it as, for example, {WHEN_EXAMPLES}."
        )
    if not isinstance(whole_error, _UnrecognisedError):
        raise whole_error
    if errors:
        raise errors[0]
    if _is_time(phrase):
        raise DateError(
            f"Please give a date as well as the time, for example "
            f"tomorrow at {phrase} or friday at {phrase}."
        )
    raise _UnrecognisedError(
        f"I could not understand the date and time {_quoted(phrase)}. "
        f"Try, for example, {WHEN_EXAMPLES}."
    )


# Durations --------------------------------------------------------------------

_MINUTE_WORDS = r"(?:m|min|mins|minute|minutes)"
_DURATION = re.compile(
    r"(?P<hours>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours)"
    rf"(?:\s*(?:and\s+)?(?P<extra>\d+)\s*{_MINUTE_WORDS}?)?"
    rf"|(?P<minutes>\d+)\s*{_MINUTE_WORDS}"
)
_DURATION_WORDS = {"half an hour": 30, "an hour": 60, "one hour": 60}


def _duration_error(text: str, reason: str) -> DateError:
    return DateError(f"{reason} Try, for example, {DURATION_EXAMPLES}.")


def _duration_minutes(text: str, match: re.Match[str]) -> int:
    if match["minutes"] is not None:
        return int(match["minutes"])
    hours, extra = Decimal(match["hours"]), match["extra"]
    if extra is not None and hours != hours.to_integral_value():
        raise _duration_error(text, f"I could not understand the length {_quoted(text)}.")
    if extra is not None and int(extra) > 59:
        raise _duration_error(text, "After the hours, give fewer than 60 minutes.")
    minutes = hours * 60 + int(extra or 0)
    if minutes != minutes.to_integral_value():
        raise _duration_error(text, f"{_quoted(text)} is not a whole number of minutes.")
    return int(minutes)


def parse_duration(text: str) -> timedelta:
    """Turn a typed length such as '30m', '1h30' or '1.5 hours' into a timedelta."""
    phrase = " ".join(text.lower().split())
    if phrase in _DURATION_WORDS:
        return timedelta(minutes=_DURATION_WORDS[phrase])
    match = _DURATION.fullmatch(phrase.removeprefix("-").strip())
    if match is None:
        raise _duration_error(text, f"I could not understand the length {_quoted(text)}.")
    minutes = _duration_minutes(text, match)
    if phrase.startswith("-") or minutes == 0:
        raise _duration_error(text, "A length must be more than zero.")
    if minutes > MAX_DURATION // timedelta(minutes=1):
        raise _duration_error(text, "A length can be at most 12 hours.")
    return timedelta(minutes=minutes)


# Intervals --------------------------------------------------------------------

_INTERVAL_WORDS: dict[str, Interval] = {
    "week": Interval(weeks=1),
    "weekly": Interval(weeks=1),
    "other week": Interval(weeks=2),
    "fortnight": Interval(weeks=2),
    "fortnightly": Interval(weeks=2),
    "month": Interval(months=1),
    "monthly": Interval(months=1),
    "other month": Interval(months=2),
}
_INTERVAL = re.compile(
    rf"{_NUMBER}(?:\s+(?P<unit>weeks?|months?)|[-\s]?(?P<adverb>weekly|monthly))"
)


def _interval_error(text: str, reason: str) -> DateError:
    return DateError(f"{reason} Try, for example, {INTERVAL_EXAMPLES}.")


def _counted_interval(text: str, match: re.Match[str]) -> Interval:
    number = match["number"]
    count = _NUMBER_WORDS[number] if number in _NUMBER_WORDS else int(number)
    in_weeks = (match["unit"] or match["adverb"]).startswith("week")
    limit = MAX_INTERVAL_WEEKS if in_weeks else MAX_INTERVAL_MONTHS
    if not 1 <= count <= limit:
        unit = "weeks" if in_weeks else "months"
        raise _interval_error(
            text, f"A meeting can repeat every 1 to {limit} {unit}, not every {count} {unit}."
        )
    return Interval(weeks=count) if in_weeks else Interval(months=count)


def parse_interval(text: str) -> Interval:
    """Turn 'every 2 weeks', 'fortnightly', 'monthly' and so on into an Interval."""
    phrase = " ".join(text.lower().split())
    phrase = phrase.removeprefix("every ").strip()
    if phrase in _INTERVAL_WORDS:
        return _INTERVAL_WORDS[phrase]
    if match := _INTERVAL.fullmatch(phrase):
        return _counted_interval(text, match)
    raise _interval_error(text, f"I could not understand how often to repeat: {_quoted(text)}.")


# Formatting -------------------------------------------------------------------


def format_date(d: date) -> str:
    """Format as 'Thu 3 Dec 2026'."""
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def format_time(t: time) -> str:
    """Format as '10:00' (24-hour clock)."""
    return f"{t.hour:02d}:{t.minute:02d}"


def format_datetime(dt: datetime, zone: ZoneInfo) -> str:
    """Format as 'Thu 3 Dec 2026 10:00', as the wall clock reads in `zone`."""
    if dt.utcoffset() is None:
        raise ValueError("dt must be a timezone-aware datetime")
    local = dt.astimezone(UTC).astimezone(zone)
    return f"{format_date(local.date())} {format_time(local.time())}"


def format_duration(td: timedelta) -> str:
    """Format as '1h', '30m' or '1h30'."""
    if td < timedelta(0):
        raise ValueError("A duration cannot be negative.")
    hours, minutes = divmod(int(td.total_seconds()) // 60, 60)
    if not hours:
        return f"{minutes}m"
    return f"{hours}h{minutes:02d}" if minutes else f"{hours}h"
