"""Draft minutes that wait are noticed: the chair is told once when the correction window
closes and once more when they are still not approved 10 working days after the meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.notify import CollectingNotifier
from bot.worker import Worker, console_sweep
from commands.reminders import approval
from storage.models import Meeting, OutboxMessage
from tests.conftest import Console
from tests.support import blocks

# Ends Thu 17 Dec 2026. The window's 5 working days end Thu 24 Dec; Fri 25 and Mon 28 Dec are
# bank holidays, so the chair hears on Tue 29 Dec at 09:00. The 10 working days end Tue 5 Jan
# (Fri 1 Jan is a bank holiday): the minutes are late from Wed 6 Jan.
SETUP = [
    ":clock 2026-12-17T11:00:00+00:00",
    "/mdt new Case review case CR-1 on 17/12/2026 at 11:30 with @tom",
    "/mdt start M1",
    "decision: The care plan is reviewed in a month",
    "/mdt end M1",
]


def _notices(console: Console) -> int:
    with console.store.transaction(console.session.now) as session:
        return session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.key.startswith("minutes:"))
        )


def test_the_chair_hears_when_the_window_closes_and_again_when_late(console: Console) -> None:
    console.session.sweep = console_sweep(console.store)
    console(*SETUP)
    # The last day of the window, and the bank holidays after it: nothing yet.
    assert "correction window" not in console(":clock 2026-12-24T16:00:00+00:00")
    assert "correction window" not in console(":clock 2026-12-25T10:00:00+00:00")
    assert "correction window" not in console(":clock 2026-12-29T08:30:00+00:00")
    assert blocks(console(":clock 2026-12-29T09:00:00+00:00")) == [
        "[DM @priya] The correction window for the minutes of M1 Case review closed on"
        " Thu 24 Dec 2026 and they are still a draft.\n"
        "Approve them with `/mdt approve M1`."
    ]
    assert "correction window" not in console(":clock +1d")
    assert "not approved" not in console(":clock 2027-01-05T16:00:00+00:00")
    assert blocks(console(":clock 2027-01-06T09:00:00+00:00")) == [
        "[DM @priya] The minutes of M1 Case review are still not approved, 11 working days"
        " after the meeting ended on Thu 17 Dec 2026 (they should be approved within 10);"
        " reviews count them as late.\n"
        "Approve them with `/mdt approve M1`."
    ]
    assert "approved" not in console(":clock +3d")
    other = Worker(console.store, {"console": CollectingNotifier()}, name="other")
    assert other.run_once(console.session.now + timedelta(hours=1)).sweep.minutes == 0
    assert _notices(console) == 2


def test_waiting_corrections_are_named_and_approval_stops_the_notices(console: Console) -> None:
    console.session.sweep = console_sweep(console.store)
    console(*SETUP, ":as tom", "/mdt correct M1 the review is in six weeks", ":as priya")
    printed = console(":clock 2026-12-29T10:00:00+00:00")
    assert "still a draft, with 1 correction waiting for your answer." in printed
    assert "Answer it (`/mdt correct M1 accept <n>`" in printed
    console("/mdt correct M1 accept 1", "/mdt approve M1")
    assert "not approved" not in console(":clock 2027-01-07T10:00:00+00:00")
    assert _notices(console) == 1


def test_a_worker_back_after_both_are_due_sends_only_the_late_notice(console: Console) -> None:
    console(*SETUP)
    console.session.sweep = console_sweep(console.store)
    printed = console(":clock 2027-01-11T10:00:00+00:00")
    assert "still not approved, 14 working days after" in printed
    assert "correction window" not in printed
    assert "correction window" not in console(":clock +1d")
    assert _notices(console) == 1


def test_two_workers_at_the_same_moment_queue_one_notice(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    console(*SETUP)
    moment = console.session.now + timedelta(days=12, hours=-2)  # Tue 29 Dec, 09:00
    with console.store.transaction(moment) as session:
        ids = approval._candidates(session, moment, 10)
    assert len(ids) == 1
    monkeypatch.setattr(approval, "_candidates", lambda *_: ids)
    one, two = (Worker(console.store, {}, name=n).reminders for n in ("one", "two"))
    assert approval.tell_chairs(console.store, moment, one._policy) == (1, 0)
    # The second worker read the meeting before the first committed: the unique key refuses it.
    with console.store.transaction(moment) as session:
        session.get(Meeting, ids[0]).window_reminded = False  # type: ignore[union-attr]
    assert approval.tell_chairs(console.store, moment, two._policy) == (0, 1)
    assert _notices(console) == 1


def test_the_approve_button_goes_with_the_notice(console: Console) -> None:
    console(*SETUP)
    collector = CollectingNotifier()
    Worker(console.store, {"console": collector}, name="w").run_once(
        console.session.now + timedelta(days=12, hours=-2)
    )
    (message,) = collector.take()
    assert [(b.label, b.value) for b in message.buttons] == [("Approve", "approve M1")]
