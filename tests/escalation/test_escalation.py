"""Professional disagreements: protocols, stages in working days, who may act, stage notices."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.config import Settings, SettingsError
from bot.email.console import console_mail
from bot.notify import CollectingNotifier
from bot.worker import Worker, console_sweep
from commands.escalation.deadlines import stage_deadline
from commands.escalation.protocols import ProtocolError, parse_protocol, protocols
from commands.governance.export import export_case, to_json
from commands.language.workdays import WorkingCalendar
from storage.db import Store
from storage.models import (
    Disagreement,
    DisagreementStep,
    OutboxMessage,
    StageNotice,
    Workspace,
)
from tests.conftest import Console
from tests.support import blocks, snapshot

HEAD = "Formal escalation under the Escalation and Resolution Protocol"
PARTNER = "sam.patel@police.example"
LONDON = ZoneInfo("Europe/London")

# Wed 26 May 2027: priya chairs M1, a strategy meeting; tom (police) and sam are invited.
# The Spring bank holiday is Mon 31 May 2027.
SETUP = [
    ":clock 2027-05-26T09:00:00+01:00",
    "/mdt iam Brighton Adult Social Care as safeguarding lead",
    ":as tom",
    "/mdt iam Sussex Police as detective sergeant",
    ":as priya",
    "/mdt new Strategy case AB-1234 on 26/5/2027 at 09:30 type strategy with @tom @sam",
    "/mdt start M1",
    "/mdt decision M1 close the safeguarding enquiry because the risks are now managed",
]


@pytest.fixture
def decided(console: Console) -> Console:
    """M1 running with decision D1; the worker's sweep runs on every `:clock`."""
    console.session.sweep = console_sweep(console.store)
    printed = console(*SETUP)
    assert "Decision D1 recorded in M1" in printed, printed
    assert "Sorry" not in printed
    return console


def as_(console: Console, user: str, *lines: str) -> str:
    """Run lines as another user, then go back to priya."""
    return console(f":as {user}", *lines, ":as priya")


def notices(printed: str) -> list[str]:
    """Each escalation block printed: who it went to, and the start of the line after the head."""
    found = []
    for block in blocks(printed):
        lines = block.splitlines()
        if any(HEAD in line for line in lines[:2]):
            found.append(lines[0].split("]")[0] + "] " + lines[1 if HEAD in lines[0] else 2][:60])
    return found


# Protocols ------------------------------------------------------------------------------------


def test_the_shipped_protocols_load_and_the_default_has_the_contracts_four_stages() -> None:
    shipped = protocols()
    assert set(shipped) >= {"default", "lincolnshire", "bcp-dorset"}
    default = shipped["default"]
    assert [(s.title, s.working_days) for s in default.stages] == [
        ("Practitioners", 2),
        ("Line managers", 5),
        ("Safeguarding leads or senior managers", 2),
        ("Independently chaired meeting", 10),
    ]
    assert [s.working_days for s in shipped["lincolnshire"].stages] == [2, 5, 2, 10]
    dorset = shipped["bcp-dorset"]
    assert dorset.name == "the Escalation Policy"
    assert [s.working_days for s in dorset.stages] == [1, 1, 1, 1]
    assert "independent chair" in dorset.stages[-1].tell


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"stage": [{"title": "A", "who": "x", "working_days": 2}]}, "missing 'name'"),
        ({"name": "P"}, "needs at least one [[stage]]"),
        ({"name": "P", "stage": [{"who": "x", "working_days": 2}]}, "stage 1: missing 'title'"),
        ({"name": "P", "stage": [{"title": "A", "who": "x", "working_days": 0}]}, "working_days"),
        ({"name": "P", "stage": [{"title": "A", "who": "x", "working_days": "2"}]}, "working_days"),
        ({"name": "P", "stage": ["stage one"]}, "stage 1 is not a table"),
    ],
)
def test_a_malformed_protocol_is_refused_naming_its_file(data: dict, named: str) -> None:
    with pytest.raises(ProtocolError, match=r"local\.toml") as refused:
        parse_protocol("local", data)
    assert named in str(refused.value)


def test_the_workspace_chooses_its_protocol_by_setting_and_an_unknown_one_stops_start_up() -> None:
    chosen = Settings.from_env({"MDT_ESCALATION_PROTOCOL": "bcp-dorset"})
    assert chosen.governance.escalation_protocol == "bcp-dorset"
    assert Settings.from_env({}).governance.escalation_protocol == "default"
    with pytest.raises(SettingsError, match=r"MDT_ESCALATION_PROTOCOL: unknown escalation"):
        Settings.from_env({"MDT_ESCALATION_PROTOCOL": "nowhere"})


@pytest.mark.parametrize(
    ("opened", "days", "due"),
    [
        # Christmas 2026: Fri 25 Dec, Sat 26, Sun 27, Mon 28 Dec (Boxing Day's substitute).
        ("2026-12-24T10:00:00+00:00", 2, "2026-12-30T17:00:00+00:00"),
        # Spring bank holiday 2027 (Mon 31 May), in British Summer Time.
        ("2027-05-27T15:00:00+01:00", 2, "2027-06-01T17:00:00+01:00"),
        # Opened on a Saturday: counting starts from the next working day.
        ("2027-05-29T11:00:00+01:00", 1, "2027-06-01T17:00:00+01:00"),
        # Across the clocks going back (Sun 31 Oct 2027).
        ("2027-10-29T09:00:00+01:00", 1, "2027-11-01T17:00:00+00:00"),
    ],
)
def test_a_stage_runs_to_the_close_of_its_last_working_day(
    opened: str, days: int, due: str
) -> None:
    calendar = WorkingCalendar("England and Wales")
    got = stage_deadline(datetime.fromisoformat(opened), days, LONDON, calendar)
    assert got == datetime.fromisoformat(due).astimezone(UTC)


# A whole disagreement ------------------------------------------------------------------------


def step_days(console: Console, days: int, at: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Move the clock a day at a time (09:00); the escalation notices printed, by day."""
    seen: list[str] = []
    for _ in range(days):
        printed = console(":clock +1d")
        day = console.session.now.astimezone(LONDON).strftime("%a %d %b")
        seen += [f"{day} {line}" for line in notices(printed)]
        for user, line in at.get(day, []):
            printed = as_(console, user, line)
            assert "Sorry" not in printed
            seen += [f"{day} {line}" for line in notices(printed)]
    return seen


def test_a_disagreement_through_all_four_stages_over_a_bank_holiday_weekend(
    decided: Console,
) -> None:
    opened = as_(decided, "tom", "/mdt escalate D1 police were not consulted before closing it")
    assert f"*{HEAD}, stage 1* (Practitioners)" in opened
    assert "You raised E1 about D1 (M1 Strategy)" in opened
    assert "Involved: @tom (Sussex Police), @priya (Brighton Adult Social Care)." in opened
    assert "To be resolved at this stage by Fri 28 May 2027 17:00 (2 working days)" in opened
    assert "[DM @priya]" in opened
    seen = step_days(
        decided,
        33,
        at={
            "Thu 27 May": [("tom", "/mdt escalate E1 add @lisa at stage 2")],
            "Tue 01 Jun": [("tom", "/mdt escalate E1 the practitioners could not agree")],
            "Wed 09 Jun": [
                ("lisa", "/mdt escalate E1 add @dan at stage 3"),
                ("lisa", "/mdt escalate E1 the line managers could not agree"),
            ],
            "Fri 11 Jun": [("dan", "/mdt escalate E1 the leads ask for an independent view")],
            "Mon 14 Jun": [
                (
                    "dan",
                    "/mdt resolve E1 decision changed: the enquiry stays open until police are"
                    " consulted",
                ),
            ],
        },
    )
    assert seen == [
        "Thu 27 May [DM @lisa] @tom has named you for stage 2 of E1 about D1 (M1 Strategy):",
        "Thu 27 May [only @tom] @lisa is now involved in E1 from stage 2.",
        # Stage 1 ran out Fri 28 May 17:00; the weekend and the bank holiday pass in silence.
        "Tue 01 Jun [DM @tom] The time for stage 1 (Practitioners) of E1 about D1 (M1 Stra",
        "Tue 01 Jun [DM @priya] The time for stage 1 (Practitioners) of E1 about D1 (M1 Stra",
        "Tue 01 Jun [DM @lisa] E1 about D1 (M1 Strategy): close the safeguarding enquiry ma",
        "Tue 01 Jun [DM @priya] @tom has taken E1 about D1 (M1 Strategy): close the safeguar",
        "Tue 01 Jun [DM @lisa] @tom has taken E1 about D1 (M1 Strategy): close the safeguar",
        "Tue 01 Jun [only @tom] E1 is now at stage 2: Line managers. Reason: the practitione",
        # Stage 2 (5 working days) ran out Tue 8 Jun 17:00.
        "Wed 09 Jun [DM @tom] The time for stage 2 (Line managers) of E1 about D1 (M1 Stra",
        "Wed 09 Jun [DM @priya] The time for stage 2 (Line managers) of E1 about D1 (M1 Stra",
        "Wed 09 Jun [DM @lisa] The time for stage 2 (Line managers) of E1 about D1 (M1 Stra",
        "Wed 09 Jun [DM @dan] @lisa has named you for stage 3 of E1 about D1 (M1 Strategy)",
        "Wed 09 Jun [only @lisa] @dan is now involved in E1 from stage 3.",
        "Wed 09 Jun [DM @tom] @lisa has taken E1 about D1 (M1 Strategy): close the safegua",
        "Wed 09 Jun [DM @priya] @lisa has taken E1 about D1 (M1 Strategy): close the safegua",
        "Wed 09 Jun [DM @dan] @lisa has taken E1 about D1 (M1 Strategy): close the safegua",
        "Wed 09 Jun [only @lisa] E1 is now at stage 3: Safeguarding leads or senior managers.",
        # Stage 3 would run out Fri 11 Jun 17:00; it goes to stage 4 that morning.
        "Fri 11 Jun [DM @tom] @dan has taken E1 about D1 (M1 Strategy): close the safeguar",
        "Fri 11 Jun [DM @priya] @dan has taken E1 about D1 (M1 Strategy): close the safeguar",
        "Fri 11 Jun [DM @lisa] @dan has taken E1 about D1 (M1 Strategy): close the safeguar",
        "Fri 11 Jun [only @dan] E1 is now at stage 4: Independently chaired meeting. Reason:",
        "Mon 14 Jun [DM @tom] @dan has resolved E1 about D1 (M1 Strategy): close the safeg",
        "Mon 14 Jun [DM @priya] @dan has resolved E1 about D1 (M1 Strategy): close the safeg",
        "Mon 14 Jun [DM @lisa] @dan has resolved E1 about D1 (M1 Strategy): close the safeg",
        "Mon 14 Jun [only @dan] E1 is resolved at stage 4. The decision is changed: the enqu",
        # Stage 4 would have run out Fri 25 Jun: resolved, so nothing more is sent.
    ]
    listing = as_(decided, "tom", "/mdt escalations all")
    assert "E1 about D1 (M1), stage 4 Independently chaired meeting: resolved Mon 14 Jun 2027" in (
        listing
    )
    assert "the decision is changed" in listing
    assert "No open professional disagreements" in as_(decided, "tom", "/mdt escalations")
    with decided.store.transaction(decided.session.now) as session:
        kinds = session.scalars(select(DisagreementStep.kind).order_by(DisagreementStep.id)).all()
    assert kinds == [
        "opened",
        "added",
        "overdue",
        "escalated",
        "overdue",
        "added",
        "escalated",
        "escalated",
        "resolved",
    ]


# Who may act ---------------------------------------------------------------------------------


REFUSALS = [
    ("zed", "/mdt escalate D1 I was not there", "Only people invited to M1 can escalate"),
    ("zed", "/mdt escalate E1 add @zed", "Only the people involved in E1 can take it further"),
    ("sam", "/mdt escalate E1 it should go up", "Only the people involved in E1"),
    ("sam", "/mdt resolve E1 decision stands: fine", "Only the people involved in E1 can res"),
    ("tom", "/mdt resolve E1 we talked", "Say how E1 ended"),
    ("tom", "/mdt resolve E1 decision stands", "Say how E1 ended"),
    ("tom", "/mdt escalate D1", "Say why"),
    ("tom", "/mdt escalate D9 wrong", "There is no decision D9"),
    ("tom", "/mdt escalate E9 wrong", "There is no disagreement E9"),
    ("tom", "/mdt escalate X1 wrong", "`X1` is neither a decision (D4) nor a disagreement"),
    ("tom", "/mdt escalate E1 add", "Who should be brought in?"),
    ("tom", "/mdt escalate E1 add @priya", "already involved in E1"),
    ("tom", "/mdt escalate E1 add @lisa at stage 7", "it is at stage 1 of 4"),
    ("tom", "/mdt escalations later", "later"),
]


def test_who_may_escalate_add_and_resolve_and_bad_input_changes_nothing(
    decided: Console,
) -> None:
    as_(decided, "tom", "/mdt escalate D1 police were not consulted")
    as_(decided, "zed", "/mdt iam Saxon Housing as housing officer")
    for user, line, reply in REFUSALS:
        before = snapshot(decided.store)
        printed = as_(decided, user, line)
        assert reply in printed, (line, printed)
        assert "Sorry" not in printed
        assert snapshot(decided.store) == before, line


def test_the_chair_and_the_raiser_may_resolve_and_a_resolved_one_cannot_move(
    decided: Console,
) -> None:
    as_(decided, "tom", "/mdt escalate D1 police were not consulted")
    done = decided("/mdt resolve E1 decision stands: police agreed after a call with the chair")
    assert "E1 is resolved at stage 1. The decision stands: police agreed" in done
    assert "[DM @tom]" in done
    again = as_(decided, "tom", "/mdt escalate E1 still unhappy")
    assert "E1 is already resolved (Wed 26 May 2027)" in again
    with decided.store.transaction(decided.session.now) as session:
        statuses = session.scalars(select(StageNotice.status)).all()
    assert statuses == ["cancelled"]


def test_the_last_stage_cannot_go_further(decided: Console) -> None:
    as_(decided, "tom", "/mdt escalate D1 police were not consulted")
    for reason in ("one", "two", "three"):
        assert "is now at stage" in as_(decided, "tom", f"/mdt escalate E1 reason {reason}")
    printed = as_(decided, "tom", "/mdt escalate E1 reason four")
    assert "at the protocol's last stage (Independently chaired meeting)" in printed


def test_an_outsider_sees_no_disagreement_of_a_meeting_they_may_not_see(decided: Console) -> None:
    as_(decided, "tom", "/mdt escalate D1 police were not consulted")
    printed = as_(decided, "zed", "/mdt escalations all")
    assert "No professional disagreements you may see." in printed
    assert "police were not consulted" not in printed
    assert "E1 about D1" in as_(decided, "sam", "/mdt escalations")


# Several workers -----------------------------------------------------------------------------


def test_several_workers_send_each_stage_notice_once(decided: Console) -> None:
    as_(decided, "tom", "/mdt escalate D1 police were not consulted")
    as_(decided, "tom", "/mdt escalate E1 add @lisa at stage 2")
    store: Store = decided.store
    decided.session.sweep = None
    late = datetime(2027, 6, 1, 9, 30, tzinfo=UTC)
    collectors = [CollectingNotifier() for _ in range(4)]
    workers = [Worker(store, {"console": c}, name=f"worker-{n}") for n, c in enumerate(collectors)]
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(worker: Worker) -> None:
        try:
            barrier.wait()
            worker.run_once(late)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent = [m for c in collectors for m in c.take() if m.template.startswith("escalation:")]
    assert sorted((m.template, m.recipient.display_name) for m in sent if m.recipient) == [
        ("escalation:coming_notice", "lisa"),
        ("escalation:overdue_notice", "priya"),
        ("escalation:overdue_notice", "tom"),
    ]
    with store.transaction(late) as session:
        assert session.scalar(select(func.count()).select_from(Disagreement)) == 1
        keys = session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.key.like("E%:stage1:%"))
        ).all()
    assert len(keys) == len(set(keys)) == 3


# In reviews ----------------------------------------------------------------------------------


def test_a_period_review_counts_the_disagreements_their_stages_time_and_agency(
    decided: Console,
) -> None:
    as_(decided, "tom", "/mdt escalate D1 police were not consulted")
    as_(decided, "tom", "/mdt escalate D1 the risk to the person at home is higher")
    decided(":clock 2027-05-27T10:00:00+01:00")
    as_(decided, "tom", "/mdt escalate E1 the practitioners could not agree")
    decided(":clock 2027-06-01T10:00:00+01:00")
    done = as_(decided, "tom", "/mdt resolve E1 decision stands: agreed with the line managers")
    assert "resolved at stage 2" in done
    decided("/mdt end M1")
    printed = decided("/mdt review period from 1/5/2027 to 30/6/2027")
    assert (
        "Professional disagreements: 2, resolved 1 at stage 2, 1 still open. Median 3 working days"
        " from raised to resolved. Most often involved: Sussex Police (2)." in printed
    ), printed


def test_the_case_export_holds_the_disagreement_and_every_step(decided: Console) -> None:
    as_(decided, "tom", "/mdt escalate D1 police were not consulted")
    as_(decided, "tom", "/mdt escalate E1 the practitioners could not agree")
    with decided.store.transaction(decided.session.now) as session:
        workspace = session.scalars(select(Workspace)).one()
        data = json.loads(to_json(export_case(session, workspace, "AB-1234", decided.session.now)))
    records = data["meetings"][0]["records"]
    assert [d["reason"] for d in records["disagreement"]] == ["police were not consulted"]
    assert [s["kind"] for s in records["disagreement_step"]] == ["opened", "escalated"]
    assert {m["person_name"] for m in records["disagreement_member"]} == {"tom", "priya"}
    audited = {row["record"] for row in data["audit"]}
    assert {"disagreement", "disagreement_step", "disagreement_member"} <= audited


def test_an_email_only_person_brought_in_is_told_by_email(decided: Console) -> None:
    """Brought into E1 by address, sam.patel hears of it, and of the stage running out, by email."""
    decided.session.mail = console_mail(decided.store, Settings(), decided.out.write)
    as_(decided, "tom", "/mdt escalate D1 police were not consulted before closing it")
    added = as_(decided, "tom", f"/mdt escalate E1 add {PARTNER}")
    assert "Sorry" not in added
    told = [b for b in blocks(added) if b.startswith(f"[email {PARTNER}]")]
    assert len(told) == 1, added
    assert f"{HEAD}, stage 1" in told[0]
    assert "has brought you into E1 about D1 (M1 Strategy)" in told[0]
    for reason in ("add the view of joan.smith@gmail.com", "joan.smith@gmail.com disagrees"):
        refused = as_(decided, "tom", f"/mdt escalate E1 {reason}")  # a reason: the guard holds
        assert "personal email address, so nothing was saved" in refused
    later = decided(":clock 2027-06-01T09:00:00+01:00")
    emailed = [b for b in blocks(later) if b.startswith(f"[email {PARTNER}]")]
    assert [HEAD in b and "The time for stage 1" in b for b in emailed] == [True], later
    with decided.store.transaction(datetime.now(UTC)) as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.platform == "email"))
        assert {row.status for row in rows} == {"sent"}


def test_the_minutes_and_show_d1_carry_the_disagreement_as_it_stood(decided: Console) -> None:
    decided("/mdt end M1")
    as_(decided, "tom", "/mdt dissent D1 escalate police were not consulted")
    opened = decided("/mdt minutes M1 txt")
    assert "Escalated: E1 by @tom on Wed 26 May 2027; stage 1 (Practitioners); open" in (opened), (
        opened
    )
    decided(":clock 2027-05-27T10:00:00+01:00")
    as_(decided, "tom", "/mdt escalate E1 the practitioners could not agree")
    decided("/mdt resolve E1 decision stands: agreed with the line managers")
    shown = decided("/mdt show D1")
    assert (
        "Escalated: E1 by @tom on Wed 26 May 2027; stage 2 (Line managers);"
        " resolved on Thu 27 May 2027: the decision stands: agreed with the line managers"
    ) in shown, shown
