"""Working days and bank holidays for the UK nations."""

from __future__ import annotations

from datetime import date, timedelta

UK_NATIONS: dict[str, str] = {
    "England and Wales": "ENG",
    "England": "ENG",
    "Wales": "WLS",
    "Scotland": "SCT",
    "Northern Ireland": "NIR",
}

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def nation_code(name: str) -> str:
    """Return the `holidays` subdivision code for a UK nation name or code."""
    wanted = " ".join(name.split()).casefold()
    for nation, code in UK_NATIONS.items():
        if wanted in (nation.casefold(), code.casefold()):
            return code
    accepted = ", ".join(UK_NATIONS)
    raise ValueError(f"Unknown UK nation {name!r}: use one of {accepted}.")


class WorkingCalendar:
    """Weekdays that are not bank holidays, for one UK nation.

    Bank holidays come from the `holidays` package and are loaded one year
    at a time, the first time a date in that year is asked about. Substitute
    ("observed") days count as holidays.
    """

    __slots__ = ("_code", "_holidays", "_loaded_years", "_nation")

    def __init__(self, nation: str = "England and Wales") -> None:
        self._code = nation_code(nation)
        self._nation = nation
        self._holidays: dict[date, str] = {}
        self._loaded_years: set[int] = set()

    def __repr__(self) -> str:
        return f"WorkingCalendar({self._nation!r})"

    @property
    def nation(self) -> str:
        """The nation name this calendar was built for."""
        return self._nation

    @property
    def code(self) -> str:
        """The subdivision code: ENG, WLS, SCT or NIR."""
        return self._code

    def _load_year(self, year: int) -> None:
        if year in self._loaded_years:
            return
        import holidays  # noqa: PLC0415 - loaded with the first date asked about, not at start

        found = holidays.country_holidays("GB", subdiv=self._code, years=year)
        self._holidays.update(found.items())
        self._loaded_years.add(year)

    def holiday_name(self, d: date) -> str | None:
        """Return the bank holiday's name on `d`, or None."""
        self._load_year(d.year)
        return self._holidays.get(d)

    def is_working_day(self, d: date) -> bool:
        """True for Monday to Friday, unless it is a bank holiday."""
        return d.weekday() < _SATURDAY and self.holiday_name(d) is None

    def next_working_day(self, d: date) -> date:
        """Return the first working day strictly after `d`."""
        return self.on_or_next_working_day(d + _ONE_DAY)

    def on_or_next_working_day(self, d: date) -> date:
        """Return `d` if it is a working day, otherwise the next one."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """Return the date `n` working days after `d` (before it if `n` < 0).

        `d` itself is not counted, so `n` == 0 returns `d` unchanged.
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days after `start`, up to and including `end`.

        Returns 0 when `end` is not after `start`.
        """
        days = (end - start).days
        return sum(
            1
            for offset in range(1, days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )
