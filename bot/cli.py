"""The `mdtbot` command line: console and migrate (more arrive with each platform)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

from bot.clock import system_clock
from bot.config import Settings, SettingsError
from bot.console import parse_moment, run_console
from bot.email.console import console_mail
from bot.governance_cli import add_governance_parsers, run_governance
from bot.worker import add_worker_parser, console_sweep, run_worker_command
from commands.core import Core
from commands.meetings.types import MeetingTypeError, meeting_types
from commands.reviews.meeting_review import review_sweep
from storage.db import Store, make_engine, migrate
from storage.reach import unreachable, where

if TYPE_CHECKING:
    from starlette.applications import Starlette


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
    add_worker_parser(sub)
    add_governance_parsers(sub)
    serve = sub.add_parser("serve", help="answer Slack (and Teams) over HTTP")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default: 0.0.0.0)")  # noqa: S104
    serve.add_argument("--db", help="database URL (default: DATABASE_URL)")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="server processes sharing the port (default: 1); all they share is the database",
    )
    socket = sub.add_parser("socket", help="answer Slack over Socket Mode (no public URL)")
    socket.add_argument("--db", help="database URL (default: DATABASE_URL)")
    manifest = sub.add_parser("manifest", help="print a platform's app manifest")
    manifest.add_argument("platform", choices=sorted(MANIFESTS), help="which platform")
    manifest.add_argument("--url", default="https://mdt.example.org", help="the app's public URL")
    return parser


def _slack_manifest(url: str) -> str:
    from bot.slack.manifest import manifest_yaml  # noqa: PLC0415 - only this command needs it

    return manifest_yaml(url.rstrip("/"))


def _teams_manifest(url: str) -> str:
    from bot.teams.manifest import write_package  # noqa: PLC0415 - only this command needs it

    return write_package(Settings.from_env(), url, Path("mdt-teams.zip"))


GOVERNANCE = frozenset({"audit", "retention", "export"})
MAX_WORKERS = 64
SERVE_DATABASE = "MDT_SERVE_DATABASE_URL"  # handed from `serve --workers N` to its processes
MANIFESTS: dict[str, Callable[[str], str]] = {"slack": _slack_manifest, "teams": _teams_manifest}


def _workers(text: str) -> int:
    """`--workers`: a whole number of server processes, 1 to 64."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"give a whole number from 1 to {MAX_WORKERS}")
    return count


def _serve(args: argparse.Namespace, settings: Settings, url: str) -> int:
    import uvicorn  # noqa: PLC0415 - only `serve` needs the HTTP stack

    port = args.port or settings.port
    if args.workers == 1:
        uvicorn.run(served_app(url, settings), host=args.host, port=port, log_level="info")
        return 0
    Store.open(url, upgrade=True).engine.dispose()  # migrated once, before the workers start
    os.environ[SERVE_DATABASE] = url  # each worker process reads it in `worker_app`
    uvicorn.run(
        "bot.cli:worker_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=port,
        log_level="info",
    )
    return 0


def served_app(url: str, settings: Settings, *, upgrade: bool = True) -> Starlette:
    """The whole HTTP app of `mdtbot serve`: Slack, Teams and the link pages."""
    from bot.server import create_app  # noqa: PLC0415 - only `serve` needs the HTTP stack
    from bot.teams.app import teams_routes  # noqa: PLC0415
    from bot.web.links import link_routes  # noqa: PLC0415

    store = Store.open(url, upgrade=upgrade)
    pages = link_routes(store, _core(store, settings), system_clock)
    return create_app(settings, store, extra_routes=[*teams_routes(settings, store), *pages])


def worker_app() -> Starlette:
    """One of `serve --workers N`'s processes: the same app, on the database already migrated."""
    return served_app(os.environ[SERVE_DATABASE], Settings.from_env(), upgrade=False)


def _socket(settings: Settings, url: str) -> int:
    from bot.slack.socket import build_socket_handler  # noqa: PLC0415 - only `socket` needs it

    store = Store.open(url, upgrade=True)
    handler, bot = build_socket_handler(settings, store, system_clock)
    try:
        handler.start()  # type: ignore[no-untyped-call]
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        bot.close()
    return 0


def _core(store: Store, settings: Settings, *, email: bool | None = None) -> Core:
    """The core with the deployment's settings; email works on the console without SMTP."""
    return Core(store, settings.core_settings(email=email))


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
    if args.command == "manifest":
        try:
            print(MANIFESTS[args.platform](args.url), end="")  # noqa: T201 - the command line speaks
        except SettingsError as error:
            print(f"mdtbot: {error}", file=sys.stderr)  # noqa: T201 - the command line speaks
            return 2
        return 0
    url = args.db or settings.database_url
    try:
        return _run(args, settings, url)
    except DBAPIError as error:
        if not unreachable(error):
            raise
        setting = "--db" if args.db else "DATABASE_URL"
        reason = str(error.orig or error).strip().splitlines()[0][:200] if str(error) else ""
        print(  # noqa: T201 - the command line speaks
            f"mdtbot: cannot reach the database ({setting} = {where(url)}): {reason}. "
            f"Check {setting} and that the database is running.",
            file=sys.stderr,
        )
        return 3


def _run(args: argparse.Namespace, settings: Settings, url: str) -> int:
    """Run a command that works on the database at `url`."""
    if args.command == "migrate":
        migrate(make_engine(url))
        return 0
    if args.command == "worker":
        return run_worker_command(args, settings, url)
    if args.command in GOVERNANCE:
        return run_governance(args, settings, url)
    if args.command in {"serve", "socket"}:
        try:
            return (
                _serve(args, settings, url) if args.command == "serve" else _socket(settings, url)
            )
        except SettingsError as error:
            print(f"mdtbot: {error}", file=sys.stderr)  # noqa: T201 - the command line speaks
            return 2
    store = Store.open(url, upgrade=True)
    core = _core(store, settings, email=True)
    return run_console(
        core,
        user=args.user.lstrip("@"),
        channel=args.channel.lstrip("#"),
        now=args.now or system_clock(),
        files_dir=Path(args.files),
        sweep=review_sweep(store, console_sweep(store)),
        mail=console_mail(store, settings, sys.stdout.write),
    )


if __name__ == "__main__":
    sys.exit(main())
