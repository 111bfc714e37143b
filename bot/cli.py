"""The `mdtbot` command line: console and migrate (more arrive with each platform)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings, SettingsError
from bot.console import parse_moment, run_console
from commands.core import Core, CoreSettings
from commands.meeting_types import MeetingTypeError, meeting_types
from storage.db import Store, make_engine, migrate


def _moment(text: str) -> datetime:
    moment = parse_moment(text)
    if moment is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date-time such as 2027-02-01T09:00:00+00:00"
        )
    return moment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mdtbot", description="The MDT assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    console = sub.add_parser("console", help="run the bot in this terminal (SQLite by default)")
    console.add_argument("--user", default="you", help="who is typing (default: you)")
    console.add_argument("--channel", default="mdt", help="the channel (default: mdt)")
    console.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///mdt.db)")
    console.add_argument("--now", type=_moment, help="start the clock at this ISO date-time")
    console.add_argument("--files", default="mdt-files", help="where attached files are written")
    migrate_cmd = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate_cmd.add_argument("--db", help="database URL (default: DATABASE_URL)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `mdtbot` command and return its exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        meeting_types()
    except (SettingsError, MeetingTypeError) as error:
        print(f"mdtbot: {error}", file=sys.stderr)  # noqa: T201 - the command line speaks
        return 2
    url = args.db or settings.database_url
    if args.command == "migrate":
        migrate(make_engine(url))
        return 0
    store = Store.open(url, upgrade=True)
    core = Core(store, CoreSettings(settings.timezone, settings.holidays_nation))
    return run_console(
        core,
        user=args.user.lstrip("@"),
        channel=args.channel.lstrip("#"),
        now=args.now or datetime.now(UTC),
        files_dir=Path(args.files),
    )


if __name__ == "__main__":
    sys.exit(main())
