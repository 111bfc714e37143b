"""Filters every template environment shares: dates in the reader's zone, mentions, lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, StrictUndefined, pass_context
from jinja2.runtime import Context

from commands.language.dates import format_date, format_time


class QuietUndefined(StrictUndefined):
    """Missing values are false in `{% if %}` but an error when printed or used."""

    def __bool__(self) -> bool:  # type: ignore[override]
        return False


def _zone(ctx: Context) -> ZoneInfo:
    zone = ctx.get("zone")
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone or "Europe/London"))


@pass_context
def when(ctx: Context, value: datetime) -> str:
    """`Thu 3 Dec 2026 10:00` in the reader's zone."""
    local = value.astimezone(_zone(ctx))
    return f"{format_date(local.date())} {format_time(local.time())}"


@pass_context
def day(ctx: Context, value: datetime | date) -> str:
    """`Thu 3 Dec 2026`; a moment is taken in the reader's zone."""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(ctx)).date()
    return format_date(value)


@pass_context
def clock(ctx: Context, value: datetime) -> str:
    """`10:00` in the reader's zone."""
    return format_time(value.astimezone(_zone(ctx)).time())


def listing(items: Iterable[Any], last: str = "and") -> str:
    """`a, b and c`."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def as_is(value: Any) -> Any:
    """User text left for the environment's own escaping (chat platforms escape as they print)."""
    return value


def possessive_end(name: Any) -> str:
    """What follows a name to say its: `'s` (Saxon Housing's), `'` (Advocacy Matters')."""
    return "'" if str(name).endswith(("s", "S")) else "'s"


def install_filters(
    env: Environment, mention: Callable[[Any], str], user_text: Callable[[Any], Any] = as_is
) -> None:
    """Add the shared filters, with the platform's way of writing a mention.

    `user_text` marks user-supplied values inside shared macros (insights.j2): a macro's output
    is taken as safe by an autoescaping caller, so an HTML document escapes them there.
    """
    env.filters.update(
        when=when,
        day=day,
        clock=clock,
        listing=listing,
        mention=mention,
        user_text=user_text,
        possessive_end=possessive_end,
    )
