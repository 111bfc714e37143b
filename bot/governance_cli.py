"""`mdtbot audit verify|show`: the governance commands of the command line (section 13)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import select

from bot.console import at_name
from bot.render import Renderer
from commands.governance.trail import TrailError, decision_refs, resolve, trail
from commands.messages import Message
from storage.chain import verify
from storage.db import Store
from storage.models import Workspace

Sub = argparse._SubParsersAction


def add_governance_parsers(sub: Sub[argparse.ArgumentParser]) -> None:
    """The `audit` command and its two verbs."""
    audit = sub.add_parser("audit", help="check the audit chain, or list a record's trail")
    verbs = audit.add_subparsers(dest="verb", required=True)
    check = verbs.add_parser("verify", help="say whether the audit chain is whole")
    check.add_argument("--db", help="database URL (default: DATABASE_URL)")
    refs = "M3|A17|D4" if decision_refs() else "M3|A17"
    show = verbs.add_parser("show", help=f"who did what, when, to {refs}")
    show.add_argument("ref", help=f"a meeting, action or decision ref ({refs})")
    show.add_argument("--workspace", help="the workspace (needed when there are several)")
    show.add_argument("--db", help="database URL (default: DATABASE_URL)")


def _now() -> datetime:
    return datetime.now(UTC)


def _say(text: str, out: TextIO | None = None) -> None:
    print(text, file=out or sys.stdout)


def audit_verify(store: Store) -> int:
    """Exit 0 when the chain is whole, 1 naming the first row that is not."""
    with store.engine.connect() as connection:
        verdict = verify(connection)
    if verdict.whole:
        _say(f"The audit chain is whole: {verdict.rows} rows verified.")
        return 0
    _say(
        f"The audit chain is broken at audit row {verdict.bad_id}: {verdict.reason}. "
        f"The {verdict.rows} rows before it verify."
    )
    return 1


def _workspace(store: Store, wanted: str | None) -> Workspace | str:
    with store.transaction(_now()) as session:
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
    with store.transaction(_now()) as session:
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


def run_governance(args: argparse.Namespace, url: str) -> int:
    """Run `mdtbot audit ...`."""
    store = Store.open(url, upgrade=True)
    try:
        if args.verb == "verify":
            return audit_verify(store)
        return audit_show(store, args.ref, args.workspace)
    finally:
        store.engine.dispose()
