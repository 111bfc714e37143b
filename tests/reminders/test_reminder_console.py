"""Reminders seen through the console: `:clock` stepping through a month runs the worker's sweep."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.notify import ConsoleNotifier
from bot.worker import Worker, console_sweep
from commands.outbox.codec import decode_message
from storage.models import Action, OutboxMessage, Reminder
from tests.conftest import Console
from tests.support import blocks

SETUP = [
    ":clock 2027-03-15T09:00:00+00:00",
    "/mdt new Case review case CR-1 on 15/3/2027 at 10:00 with @tom",
    "/mdt start M1",
    "/mdt action M1 @tom send the care plan to the GP by 24/3/2027 measure GP confirms receipt",
]


@pytest.fixture
def chased(console: Console) -> Console:
    """The console with the worker's sweep wired to `:clock`, and A1 given to @tom."""
    console.session.sweep = console_sweep(console.store)
    printed = console(*SETUP)
    assert printed.count("[DM @tom] You have a new action A1 from M1") == 1
    return console


def step_days(console: Console, days: int, at: dict[str, list[str]] | None = None) -> list[str]:
    """Move the clock a day at a time; each block printed, prefixed with the day it came."""
    seen: list[str] = []
    for _ in range(days):
        printed = console(":clock +1d")
        day = console.session.now.strftime("%a %d %b")
        seen += [f"{day} {block}" for block in blocks(printed)]
        for line in (at or {}).get(day, []):
            console(line)
    return seen


def test_a_month_of_reminders_chasers_and_escalations(chased: Console) -> None:
    seen = step_days(chased, 31, at={"Thu 08 Apr": [":as tom", "/mdt done A1 sent", ":as priya"]})
    firsts = [block.splitlines()[0] for block in seen]
    assert firsts == [
        "Wed 17 Mar [DM @priya] @tom has not accepted A1, given to them Mon 15 Mar 2027 (2 working"
        " days ago): send the care plan to the GP, due Wed 24 Mar 2027 (M1 Case review).",
        "Mon 22 Mar [DM @tom] Reminder: A1 is due Wed 24 Mar 2027: send the care plan to the GP"
        " (measure: GP confirms receipt). From M1 Case review.",
        "Wed 24 Mar [DM @tom] A1 is due today, Wed 24 Mar 2027: send the care plan to the GP"
        " (measure: GP confirms receipt). From M1 Case review.",
        "Tue 30 Mar [DM @tom] A1 is overdue: it was due Wed 24 Mar 2027, 2 working days ago:"
        " send the care plan to the GP. From M1 Case review.",
        "Thu 01 Apr [DM @tom] A1 is overdue: it was due Wed 24 Mar 2027, 4 working days ago:"
        " send the care plan to the GP. From M1 Case review.",
        "Thu 01 Apr [DM @priya] A1 for @tom is overdue: due Wed 24 Mar 2027, 4 working days ago,"
        " chased 2 times: send the care plan to the GP (M1 Case review).",
        "Thu 01 Apr [#team] Overdue: A1 (M1) with @tom, due Wed 24 Mar 2027: send the care plan"
        " to the GP. Chased 2 times; the chair has been told.",
        "Mon 05 Apr [DM @tom] A1 is overdue: it was due Wed 24 Mar 2027, 6 working days ago:"
        " send the care plan to the GP. From M1 Case review.",
        "Mon 05 Apr [DM @priya] A1 for @tom is overdue: due Wed 24 Mar 2027, 6 working days ago,"
        " chased 3 times: send the care plan to the GP (M1 Case review).",
        "Mon 05 Apr [#team] Overdue: A1 (M1) with @tom, due Wed 24 Mar 2027: send the care plan"
        " to the GP. Chased 3 times; the chair has been told.",
        "Wed 07 Apr [DM @tom] A1 is overdue: it was due Wed 24 Mar 2027, 8 working days ago:"
        " send the care plan to the GP. From M1 Case review.",
        "Wed 07 Apr [DM @priya] A1 for @tom is overdue: due Wed 24 Mar 2027, 8 working days ago,"
        " chased 4 times: send the care plan to the GP (M1 Case review).",
        "Wed 07 Apr [#team] Overdue: A1 (M1) with @tom, due Wed 24 Mar 2027: send the care plan"
        " to the GP. Chased 4 times; the chair has been told.",
    ]
    assert "The chair, @priya, has been told." not in seen[3]
    assert "The chair, @priya, has been told." in seen[4]
    assert "Accept it: `/mdt accept A1`. Done: `/mdt done A1`." in seen[1]

    with chased.store.transaction(chased.session.now) as session:
        rows = session.scalars(select(Reminder).order_by(Reminder.due_at)).all()
        assert [(r.key.split(":")[1], r.status) for r in rows] == [
            ("before", "sent"),
            ("due", "sent"),
            ("chaser1", "sent"),
            ("chaser2", "sent"),
            ("chaser3", "sent"),
            ("chaser4", "sent"),
            ("chaser5", "cancelled"),
            ("chaser6", "cancelled"),
        ]
        outbox = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert len(outbox) == len(seen)
        assert all(o.status == "sent" and o.platform_message_id for o in outbox)
        owner_dm = decode_message(outbox[1].payload)
        assert [b.label for b in owner_dm.buttons] == [
            "Accept",
            "Done",
            "Add progress",
            "Need more time",
        ]
        assert [b.value for b in owner_dm.buttons] == [
            "accept A1",
            "done A1",
            "progress A1",
            "extend A1",
        ]


def test_nothing_at_night_for_an_owner_in_new_york(chased: Console) -> None:
    chased(":as tom", ":tz America/New_York", "/mdt accept A1", ":as priya")
    chased(":clock 2027-03-19T03:00:00+00:00")
    seen: list[str] = []
    for _ in range(2 * 14):
        printed = chased(":clock +12h")
        moment = chased.session.now
        seen += [f"{moment:%a %d %H:%M}Z {b.splitlines()[0][:34]}" for b in blocks(printed)]
    assert seen == [
        "Mon 22 15:00Z [DM @tom] Reminder: A1 is due Wed ",
        "Wed 24 15:00Z [DM @tom] A1 is due today, Wed 24 ",
        "Tue 30 15:00Z [DM @tom] A1 is overdue: it was du",
        "Thu 01 15:00Z [DM @tom] A1 is overdue: it was du",
        "Thu 01 15:00Z [DM @priya] A1 for @tom is overdue",
        "Thu 01 15:00Z [#team] Overdue: A1 (M1) with @tom",
    ]


def test_a_backlog_arrives_once_with_the_current_state(chased: Console) -> None:
    chased(":as tom", "/mdt accept A1", "/mdt progress A1 letter drafted", ":as priya")
    printed = chased(":clock 2027-04-01T12:00:00+00:00")
    found = blocks(printed)
    assert [b.split("] ")[0] + "]" for b in found] == ["[DM @tom]", "[DM @priya]", "[#team]"]
    assert "4 working days ago" in found[0]
    with chased.store.transaction(chased.session.now) as session:
        states = {r.key.split(":")[1]: r.status for r in session.scalars(select(Reminder))}
    assert states == {
        "before": "skipped",
        "due": "skipped",
        "chaser1": "skipped",
        "chaser2": "sent",
        "chaser3": "pending",
        "chaser4": "pending",
    }
    assert blocks(chased(":clock +1h")) == []


def test_an_evening_backlog_waits_for_the_next_working_morning(chased: Console) -> None:
    chased(":as tom", "/mdt accept A1", ":as priya")
    assert blocks(chased(":clock 2027-03-26T18:00:00+00:00")) == []
    assert blocks(chased(":clock 2027-03-29T10:00:00+00:00")) == []
    printed = chased(":clock 2027-03-30T08:00:00+00:00")
    found = blocks(printed)
    assert len(found) == 1
    assert found[0].startswith("[DM @tom] A1 is overdue: it was due Wed 24 Mar 2027, 2 working")


def test_extension_moves_the_reminders_and_done_stops_them(chased: Console) -> None:
    printed = chased(":clock 2027-03-22T09:00:00+00:00")
    assert "Reminder: A1 is due Wed 24 Mar 2027" in printed
    printed = chased("/mdt extend A1 to 7/4/2027 because the GP surgery is closed for a week")
    assert "A1 now due Wed 7 Apr 2027" in printed
    seen = [b.splitlines()[0] for b in blocks(chased(":clock 2027-04-05T09:00:00+00:00"))]
    assert seen == [
        "[DM @tom] Reminder: A1 is due Wed 7 Apr 2027: send the care plan to the GP"
        " (measure: GP confirms receipt). From M1 Case review."
    ]
    chased(":as tom", "/mdt done A1 letter sent", ":as priya")
    assert blocks(chased(":clock 2027-04-30T09:00:00+00:00")) == []
    with chased.store.transaction(chased.session.now) as session:
        rows = session.scalars(select(Reminder).order_by(Reminder.id)).all()
        assert {r.status for r in rows if r.key.endswith("2027-03-24")} <= {"sent", "cancelled"}
        assert [r.status for r in rows if r.key.endswith("2027-04-07")] == [
            "sent",
            "cancelled",
            "cancelled",
            "cancelled",
        ]
        assert session.scalars(select(Action.status)).one() == "done"


def test_reassignment_sends_the_rest_to_the_new_owner(chased: Console) -> None:
    printed = chased("/mdt reassign A1 to @sam")
    assert "[DM @sam] You have a new action A1" in printed
    chased(":as sam", "/mdt accept A1", ":as priya")
    printed = chased(":clock 2027-03-24T09:00:00+00:00")
    found = blocks(printed)
    assert [b.split("] ")[0] + "]" for b in found] == ["[DM @sam]"]
    assert found[0].startswith("[DM @sam] A1 is due today")


def test_outstanding_actions_go_to_the_chair_the_working_morning_before(chased: Console) -> None:
    chased(
        "/mdt action M1 @tom book the carers assessment by 26/4/2027",
        "/mdt end M1",
        "/mdt new Case review case cr-1 on 6/4/2027 at 10:00 with @tom",
        "/mdt new Other case case ZZ-9 on 6/4/2027 at 14:00 with @tom",
        "/mdt done A2 booked already",
    )
    printed = chased(":clock 2027-04-01T16:00:00+00:00")
    assert "Before M2" not in printed
    printed = chased(":clock 2027-04-02T08:00:00+00:00")
    assert "Before M2" not in printed
    printed = chased(":clock 2027-04-05T09:00:00+00:00")
    briefing = [b for b in blocks(printed) if "Before M2" in b]
    assert briefing == [
        "[DM @priya] Before M2 Case review on Tue 6 Apr 2027 10:00 (case CR-1): outstanding"
        " actions from earlier meetings of this case:\n"
        "- A1 @tom: send the care plan to the GP, due Wed 24 Mar 2027 [OVERDUE] not yet"
        " accepted (M1)"
    ]
    assert "Before M2" not in chased(":clock +2h")
    assert "Before M3" not in printed


def test_the_worker_prints_console_messages_in_block_form(
    chased: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    chased(":as tom", "/mdt accept A1", ":as priya")
    worker = Worker(chased.store, {"console": ConsoleNotifier()}, name="w1")
    outcome = worker.run_once(datetime(2027, 3, 22, 9, 30, tzinfo=UTC))
    printed = capsys.readouterr().out
    assert printed.startswith("[DM @tom] Reminder: A1 is due Wed 24 Mar 2027")
    assert len(outcome.delivered) == 1


def test_a_due_date_on_a_bank_holiday_is_reminded_the_working_day_before(console: Console) -> None:
    console.session.sweep = console_sweep(console.store)
    console(
        ":clock 2026-12-21T09:00:00+00:00",
        "/mdt new Case review case CR-1 on 21/12/2026 at 10:00 with @tom",
        "/mdt start M1",
        "/mdt action M1 @tom send the care plan to the GP by 25/12/2026 measure GP confirms",
        ":as tom",
        "/mdt accept A1",
        ":as priya",
    )
    # One jump to Thu 24 Dec: Wednesday's reminder is passed over for the newer one, today's.
    found = [b.splitlines()[0] for b in blocks(console(":clock 2026-12-24T10:00:00+00:00"))]
    assert found == [
        "[DM @tom] A1 is due Fri 25 Dec 2026 (Christmas Day, a bank holiday), so today is the last"
        " working day to do it: send the care plan to the GP (measure: GP confirms). From M1"
        " Case review."
    ]
