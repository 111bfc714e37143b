"""An owner who never accepts is noticed: the chair is told once, 2 working days after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.notify import CollectingNotifier
from bot.worker import Worker, console_sweep
from commands.reminders import unaccepted
from storage.models import OutboxMessage
from tests.conftest import Console
from tests.support import blocks

# Thu 17 Dec 2026 at 11:00: two working days on is Mon 21 Dec at 11:00.
SETUP = [
    ":clock 2026-12-17T11:00:00+00:00",
    "/mdt new Case review case CR-1 on 17/12/2026 at 11:30 with @tom @sam",
    "/mdt start M1",
    "/mdt action M1 @tom send the care plan to the GP by 15/1/2027 measure GP confirms receipt",
    "/mdt action M1 @sam book the carers assessment by 15/1/2027 measure date booked",
    ":as sam",
    "/mdt accept A2",
    ":as priya",
]


def _notices(console: Console) -> int:
    with console.store.transaction(console.session.now) as session:
        return session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.key.startswith("unaccepted:"))
        )


def test_the_chair_hears_once_when_the_owner_has_not_accepted(console: Console) -> None:
    console.session.sweep = console_sweep(console.store)
    console(*SETUP)
    # Over the weekend and early on Monday: not yet two working days.
    assert "has not accepted" not in console(":clock 2026-12-21T10:30:00+00:00")
    found = blocks(console(":clock +1h"))
    assert found == [
        "[DM @priya] @tom has not accepted A1, given to them Thu 17 Dec 2026 (2 working days"
        " ago): send the care plan to the GP, due Fri 15 Jan 2027 (M1 Case review).\n"
        "You could ask them, give it to someone else (`/mdt reassign A1 to @name`) or cancel it"
        " (`/mdt cancel A1 <reason>`)."
    ]
    # Never again, whatever the clock does; and a second worker on the same database agrees.
    assert "has not accepted" not in console(":clock +3d")
    other = Worker(console.store, {"console": CollectingNotifier()}, name="other")
    assert other.run_once(console.session.now + timedelta(hours=1)).sweep.unaccepted == 0
    assert _notices(console) == 1


def test_a_reassigned_action_starts_again_and_accepting_stops_it(console: Console) -> None:
    console.session.sweep = console_sweep(console.store)
    console(*SETUP, ":clock 2026-12-18T12:00:00+00:00", "/mdt reassign A1 to @sam")
    # Given to @sam on Fri 18 Dec: two working days on is Tue 22 Dec, not Mon 21.
    assert "has not accepted" not in console(":clock 2026-12-21T16:00:00+00:00")
    printed = console(":clock 2026-12-22T12:00:00+00:00")
    assert "@sam has not accepted A1, given to them Fri 18 Dec 2026" in printed
    console("/mdt action M1 @tom phone the GP by 15/1/2027", ":as tom", "/mdt accept A3")
    assert "has not accepted" not in console(":as priya", ":clock 2027-01-05T11:00:00+00:00")
    assert _notices(console) == 1


def test_two_workers_at_the_same_moment_queue_one_notice(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    console(*SETUP)
    moment = console.session.now + timedelta(days=5)
    with console.store.transaction(moment) as session:
        ids = unaccepted._candidates(session, moment, 10)
    assert len(ids) == 1
    # Both workers found the action before either queued: the unique key refuses the second.
    monkeypatch.setattr(unaccepted, "_candidates", lambda *_: ids)
    sweeps = [Worker(console.store, {}, name=n).reminders for n in ("one", "two")]
    totals = [unaccepted.tell_chairs(console.store, moment, s._policy) for s in sweeps]
    assert totals == [(1, 0), (0, 1)]
    assert _notices(console) == 1
