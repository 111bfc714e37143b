"""`mdtbot audit verify|head|show`, `mdtbot retention`, `mdtbot export`: governance (section 13)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TextIO

from sqlalchemy import select

from bot.clock import system_clock
from bot.config import Settings
from bot.console import at_name, parse_moment
from bot.render import Renderer
from commands.governance.export import export_case, export_person, to_html, to_json
from commands.governance.retention import run_retention
from commands.governance.trail import TrailError, decision_refs, resolve, trail
from commands.messages import Message
from storage.chain import GENESIS, head_row, verify
from storage.db import Store
from storage.models import Workspace

Sub = argparse._SubParsersAction


def add_governance_parsers(sub: Sub[argparse.ArgumentParser]) -> None:
    """The `audit` command and its two verbs."""
    audit = sub.add_parser("audit", help="check the audit chain, or list a record's trail")
    verbs = audit.add_subparsers(dest="verb", required=True)
    check = verbs.add_parser("verify", help="say whether the audit chain is whole")
    check.add_argument(
        "--head",
        help="a head recorded earlier with `audit head` (ID:HASH): check it is still there",
    )
    check.add_argument("--db", help="database URL (default: DATABASE_URL)")
    head = verbs.add_parser(
        "head", help="print the chain's newest row and hash, to record elsewhere"
    )
    head.add_argument("--db", help="database URL (default: DATABASE_URL)")
    refs = "M3|A17|D4" if decision_refs() else "M3|A17"
    show = verbs.add_parser("show", help=f"who did what, when, to {refs}")
    show.add_argument("ref", help=f"a meeting, action or decision ref ({refs})")
    show.add_argument("--workspace", help="the workspace (needed when there are several)")
    show.add_argument("--db", help="database URL (default: DATABASE_URL)")
    retention = sub.add_parser("retention", help="erase what retention says is due")
    retention.add_argument("--dry-run", action="store_true", help="only list what is due")
    retention.add_argument("--now", help="as at this ISO date-time (default: the clock)")
    retention.add_argument("--db", help="database URL (default: DATABASE_URL)")
    export = sub.add_parser("export", help="everything held about a case or a staff member")
    what = export.add_subparsers(dest="what", required=True)
    for name, key, help_text in (
        ("case", "ref", "a case reference, e.g. AB-1234"),
        ("person", "platform_id", "a staff member's platform id (Slack or Teams user id)"),
    ):
        one = what.add_parser(name, help=f"export {name}")
        one.add_argument(key, help=help_text)
        one.add_argument("--format", choices=("json", "html"), default="json")
        one.add_argument("--out", help="write to this file (default: standard output)")
        one.add_argument("--workspace", help="the workspace (needed when there are several)")
        one.add_argument("--db", help="database URL (default: DATABASE_URL)")


def _say(text: str, out: TextIO | None = None) -> None:
    print(text, file=out or sys.stdout)


def parse_head(text: str) -> tuple[int, str] | None:
    """`ID:HASH` as `audit head` prints it, or None."""
    row_id, _, digest = text.strip().partition(":")
    digest = digest.lower()
    if not row_id.isdigit() or len(digest) != len(GENESIS) or set(digest) - set("0123456789abcdef"):
        return None
    return int(row_id), digest


def audit_head(store: Store) -> int:
    """Print the newest row's id and hash: record it elsewhere, check it later with --head."""
    with store.engine.connect() as connection:
        row_id, digest = head_row(connection)
    _say(f"{row_id}:{digest}")
    _say(
        f"The audit chain's head is row {row_id}. Record the line above outside this database; "
        f"`mdtbot audit verify --head {row_id}:{digest}` later says whether it is still there.",
        sys.stderr,
    )
    return 0


def audit_verify(store: Store, head: str | None = None) -> int:
    """Exit 0 when the chain is whole (and holds the recorded head), 1 naming the first row that
    is not, 2 for a malformed head."""
    anchor = parse_head(head) if head is not None else None
    if head is not None and anchor is None:
        _say(f"mdtbot: --head {head!r} is not ID:HASH as `mdtbot audit head` prints it", sys.stderr)
        return 2
    with store.engine.connect() as connection:
        verdict = verify(connection, anchor)
    if verdict.whole:
        held = f" It holds the recorded head, row {anchor[0]}." if anchor else ""
        _say(f"The audit chain is whole: {verdict.rows} rows verified.{held}")
        return 0
    _say(
        f"The audit chain is broken at audit row {verdict.bad_id}: {verdict.reason}. "
        f"The {verdict.rows} rows before it verify."
    )
    return 1


def _workspace(store: Store, wanted: str | None) -> Workspace | str:
    with store.transaction(system_clock()) as session:
        found = session.scalars(select(Workspace).order_by(Workspace.id)).all()
    if wanted:
        found = [w for w in found if wanted in {w.external_id, w.name, str(w.id)}]
    if len(found) == 1:
        return found[0]
    if not found:
        return f"no workspace {wanted!r}" if wanted else "the database holds no workspace yet"
    names = ", ".join(w.external_id for w in found)
    return f"several workspaces ({names}): say which with --workspace"


def audit_show(store: Store, ref: str, workspace: str | None) -> int:
    """Print a record's trail; exit 2 when the ref or workspace names nothing."""
    found = _workspace(store, workspace)
    if isinstance(found, str):
        _say(f"mdtbot: {found}", sys.stderr)
        return 2
    with store.transaction(system_clock()) as session:
        try:
            canonical, records = resolve(session, found.id, ref)
        except TrailError as error:
            what = (
                "is not a meeting, action or decision ref"
                if error.reason == "bad_ref"
                else ("names nothing in this workspace")
            )
            _say(f"mdtbot: {error.ref} {what}", sys.stderr)
            return 2
        lines = trail(session, records)
    message = Message(
        audience="private",
        template="governance:trail",
        context={"ref": canonical, "lines": lines},
        zone=found.timezone,
    )
    _say(Renderer(mention=at_name).render(message))
    return 0


RULES = {
    "case": "a case's records, after its last meeting",
    "meeting": "a meeting without a case reference, after it was held",
    "review": "review answers, after the review closed",
}


def retention(store: Store, settings: Settings, now: datetime, *, dry_run: bool) -> int:
    """Erase what is due (or list it, dry) and print the disposal report."""
    report = run_retention(store, settings.governance, now, dry_run=dry_run)
    message = Message(
        audience="private",
        template="governance:retention",
        context={
            "dry_run": report.dry_run,
            "now": report.now,
            "erased": report.erased,
            "held": report.held,
            "rules": RULES,
        },
        zone=settings.timezone,
    )
    _say(Renderer(mention=at_name).render(message))
    return 0


def export(store: Store, args: argparse.Namespace, now: datetime) -> int:
    """Write a case's or a person's export as JSON or HTML."""
    found = _workspace(store, args.workspace)
    if isinstance(found, str):
        _say(f"mdtbot: {found}", sys.stderr)
        return 2
    with store.transaction(now) as session:
        if args.what == "case":
            data = export_case(session, found, args.ref, now)
            if not data["meetings"] and not data["legal_holds"]:
                _say(f"mdtbot: no records of case {args.ref.upper()}", sys.stderr)
                return 2
        else:
            person = export_person(session, found, args.platform_id, now)
            if person is None:
                _say(f"mdtbot: no person with platform id {args.platform_id!r}", sys.stderr)
                return 2
            data = person
    document = to_html(data) if args.format == "html" else to_json(data)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(document)
        _say(f"Written to {args.out}.", sys.stderr)
    else:
        sys.stdout.write(document)
    return 0


def run_governance(args: argparse.Namespace, settings: Settings, url: str) -> int:
    """Run `mdtbot audit ...` or `mdtbot retention`."""
    now = system_clock()
    if getattr(args, "now", None):
        moment = parse_moment(args.now)
        if moment is None:
            _say(f"mdtbot: --now {args.now!r} is not an ISO date-time", sys.stderr)
            return 2
        now = moment
    store = Store.open(url, upgrade=True)
    try:
        if args.command == "retention":
            return retention(store, settings, now, dry_run=args.dry_run)
        if args.command == "export":
            return export(store, args, now)
        if args.verb == "verify":
            return audit_verify(store, args.head)
        if args.verb == "head":
            return audit_head(store)
        return audit_show(store, args.ref, args.workspace)
    finally:
        store.engine.dispose()
