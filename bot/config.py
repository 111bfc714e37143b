"""Settings, read once from the environment into one frozen object; a bad one stops start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commands.workdays import nation_code

DEFAULT_DATABASE_URL = "sqlite:///mdt.db"


class SettingsError(ValueError):
    """A setting that is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/London"
    holidays_nation: str = "England and Wales"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check the settings; raise SettingsError naming the first bad one."""
        env = os.environ if env is None else env
        timezone = env.get("MDT_TIMEZONE", "Europe/London").strip()
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"MDT_TIMEZONE={timezone!r} is not a time zone; use a name like Europe/London"
            ) from None
        nation = env.get("MDT_HOLIDAYS", "England and Wales").strip()
        try:
            nation_code(nation)
        except ValueError as error:
            raise SettingsError(f"MDT_HOLIDAYS: {error}") from None
        url = env.get("DATABASE_URL", DEFAULT_DATABASE_URL).strip()
        if "://" not in url:
            raise SettingsError("DATABASE_URL must be a database URL such as sqlite:///mdt.db")
        return cls(database_url=url, timezone=timezone, holidays_nation=nation)
