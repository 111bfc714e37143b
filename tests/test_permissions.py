"""Who may do what: chair, minute-taker, invitee, action owner and stranger, for every command."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Action, ActionUpdate
from tests.conftest import Console, console_after, played_sqlite
from tests.support import blocks, reading, snapshot

# priya chairs both meetings; max takes the minutes; sam is invited; tom is invited and owns A1;
# zed is a stranger to both.
SETUP = [
    "/mdt new Strategy case AB-1234 on 3/2/2027 at 10:00 with @tom @sam @max",
    "/mdt invite M1 @max as minute-taker",
    "/mdt new Discharge today at 9:30 with @tom @sam @max",
    "/mdt invite M2 @max as minute-taker",
    ":in ward",
    "/mdt start M2",
    "/mdt action M2 @tom send the care plan to the GP by 10/2/2027 measure copy on file",
    "/mdt decision M2 The care plan goes to the GP because the GP prescribes",
    ":in team",
]
ROLES = {
    "chair": "priya",
    "minute-taker": "max",
    "invitee": "sam",
    "owner": "tom",
    "stranger": "zed",
}
ALL = frozenset(ROLES)
INVITED = ALL - {"stranger"}
CHAIR = frozenset({"chair"})
RECORDERS = frozenset({"chair", "minute-taker"})
OWNER_OR_CHAIR = frozenset({"owner", "chair"})
ENDED = (":in ward", "/mdt end M2", ":in team")


@dataclass(frozen=True)
class Rule:
    """One command, who may run it, and what a refusal must name.

    `before` runs as the chair after the setup (to end a meeting, say); `refusals` gives a role
    its own refusal where it differs from `refusal`.
    """

    line: str
    allowed: frozenset[str]
    refusal: str
    changes: bool = True
    success: str = ""
    before: tuple[str, ...] = ()
    refusals: Mapping[str, str] = field(default_factory=dict)


RULES = {
    "start": Rule(
        "/mdt start M1 now",
        CHAIR,
        "Only the chair of M1 (@priya) can start it.",
        success="M1 has started",
    ),
    "where": Rule(
        "/mdt where M1 Hove Town Hall, room 2",
        CHAIR,
        "Only the chair of M1 (@priya) can say where it is held.",
        success="is now held at: Hove Town Hall, room 2",
    ),
    "end": Rule(
        "/mdt end M2", CHAIR, "Only the chair of M2 (@priya) can end it.", success="Minutes of M2"
    ),
    "decision": Rule(
        "/mdt decision M2 Discharge on Friday because the flat is ready",
        RECORDERS,
        "Only the chair of M2 (@priya) or a minute-taker can record decisions.",
        success="Decision D2 recorded in M2",
    ),
    "action": Rule(
        "/mdt action M2 @sam book the OT visit by 10/2/2027 measure visit date recorded",
        RECORDERS,
        "Only the chair of M2 (@priya) or a minute-taker can record actions.",
        success="Action A2 for @sam",
    ),
    "invite": Rule(
        "/mdt invite M1 @jo",
        CHAIR,
        "Only the chair of M1 (@priya) can invite people.",
        success="Invited to M1: @jo.",
    ),
    "show": Rule(
        "/mdt show M1",
        INVITED,
        "Only people invited to M1 can see it. Ask the chair, @priya, to invite you.",
        changes=False,
        success="M1 Strategy - Wed 3 Feb 2027",
    ),
    "show-decision": Rule(
        "/mdt show D1",
        INVITED,
        "Only people invited to M2 can see D1. Ask the chair, @priya, to invite you.",
        changes=False,
        success="D1 from M2 Discharge",
    ),
    "show-action": Rule(
        "/mdt show A1",
        INVITED,
        "Only people invited to M2 can see A1. Ask the chair, @priya, to invite you.",
        changes=False,
        success="A1 from M2 Discharge: send the care plan to the GP",
    ),
    "agenda-list": Rule(
        "/mdt agenda M1",
        INVITED,
        "Only people invited to M1 can see its agenda. Ask the chair, @priya",
        changes=False,
        success="Agenda of M1 Strategy",
    ),
    "agenda-add": Rule(
        "/mdt agenda M1 Risks at home",
        INVITED,
        "Only people invited to M1 can add to its agenda. Ask the chair, @priya",
        success="Added to the agenda of M1: Risks at home",
    ),
    "minutes": Rule(
        "/mdt minutes M2 md",
        INVITED,
        "Only people invited to M2 can read its minutes. Ask the chair, @priya",
        changes=False,
        success="Minutes of M2 as md",
    ),
    "note": Rule(
        "/mdt note M2 The person joined by phone",
        INVITED,
        "Only people invited to M2 can add notes. Ask the chair, @priya",
        success="Noted in the minutes of M2",
    ),
    "actions-of-meeting": Rule(
        "/mdt actions M2",
        INVITED,
        "Only people invited to M2 can see its actions. Ask the chair, @priya",
        changes=False,
        success="A1 @tom: send the care plan to the GP",
    ),
    "attend": Rule(
        "/mdt attend M1",
        INVITED,
        "Only people invited to M1 can attend. Ask the chair, @priya",
        changes=False,
        success="You are attending M1",
    ),
    "done": Rule(
        "/mdt done A1 sent by secure email",
        OWNER_OR_CHAIR,
        "Only @tom (who owns A1) or the chair, @priya, can complete it.",
        success="A1 is done",
    ),
    "progress": Rule(
        "/mdt progress A1 plan drafted",
        OWNER_OR_CHAIR,
        "Only @tom (who owns A1) or the chair, @priya, can add progress.",
        success="Progress noted on A1: plan drafted",
    ),
    "extend": Rule(
        "/mdt extend A1 to 12/2/2027 because the GP is away",
        OWNER_OR_CHAIR,
        "Only @tom (who owns A1) or the chair, @priya, can change its due date.",
    ),
    "reassign": Rule(
        "/mdt reassign A1 to @sam",
        CHAIR,
        "Only the chair of M2 (@priya) can reassign its actions.",
        success="A1 moved from @tom to @sam",
    ),
    "accept": Rule(
        "/mdt accept A1",
        frozenset({"owner"}),
        "Only @tom, who owns A1, can accept it.",
        success="You have accepted A1",
    ),
    "handover": Rule(
        "/mdt handover M1 to @sam",
        CHAIR,
        "Only the chair of M1 (@priya) can hand it over.",
        success="@sam now chairs it",
    ),
    "move": Rule(
        "/mdt move M1 to 4/2/2027 at 11:00",
        CHAIR,
        "Only the chair of M1 (@priya) can move it.",
        success="M1 Strategy has moved",
    ),
    "cancel": Rule(
        "/mdt cancel M1 no longer needed",
        CHAIR,
        "Only the chair of M1 (@priya) can cancel it.",
        success="M1 Strategy on Wed 3 Feb 2027 10:00 is cancelled",
    ),
    "audit": Rule(
        "/mdt audit M1",
        CHAIR,
        "Only the chair of M1 (@priya) can see its audit trail.",
        changes=False,
        success="Audit trail of M1",
    ),
    "hold": Rule(
        "/mdt hold case AB-1234 a complaint is being investigated",
        CHAIR,
        "Only a chair of a meeting of case AB-1234 (@priya) or a safeguarding lead can put",
        success="Case AB-1234 is on legal hold",
    ),
    "release": Rule(
        "/mdt release case AB-1234",
        CHAIR,
        "Only a chair of a meeting of case AB-1234 (@priya) or a safeguarding lead can release",
        success="The legal hold on case AB-1234 (placed by @priya) is released",
        before=("/mdt hold case AB-1234 a complaint is being investigated",),
    ),
    "apologies": Rule(
        "/mdt apologies M1 on leave",
        INVITED - CHAIR,
        "Only people invited to M1 can send apologies. Ask the chair, @priya",
        success="apologies",
        refusals={"chair": "You chair M1, so you cannot send apologies."},
    ),
    "correct": Rule(
        "/mdt correct M2 D1 should say the GP prescribes insulin",
        INVITED,
        "Only people invited to M2 can correct its minutes. Ask the chair, @priya",
        success="Correction 1 to the minutes of M2 sent to the chair",
        before=ENDED,
    ),
    "approve": Rule(
        "/mdt approve M2",
        CHAIR,
        "Only the chair of M2 (@priya) can approve its minutes.",
        success="are approved by @priya as version 2 and locked",
        before=ENDED,
    ),
    "addendum": Rule(
        "/mdt addendum M2 The GP confirmed receipt",
        CHAIR,
        "Only the chair of M2 (@priya) can add an addendum.",
        success="Addendum",
        before=(*ENDED, "/mdt approve M2"),
    ),
    "dissent": Rule(
        "/mdt dissent D1 the GP was not asked",
        INVITED,
        "Only people invited to M2 can disagree with D1. Ask the chair, @priya",
        success="Dissent recorded under D1 (M2)",
    ),
    "away": Rule(
        "/mdt away from 15/2/2027 to 19/2/2027 cover @jo",
        ALL,
        "",
        success="You are away from Mon 15 Feb 2027 to Fri 19 Feb 2027",
    ),
    "away-show": Rule(
        "/mdt away",
        ALL,
        "",
        changes=False,
        success="You are not recorded as away.",
    ),
}


def _cells(rule: Rule) -> list[str]:
    """The roles PostgreSQL runs a rule for: the first allowed and the first refused."""
    allowed = [r for r in ROLES if r in rule.allowed]
    refused = [r for r in ROLES if r not in rule.allowed]
    return allowed[:1] + refused[:1]


# Every cell on SQLite; on PostgreSQL, one allowed and one refused role per command (who may
# is decided in Python over the same rows; PostgreSQL's own behaviour is tested elsewhere).
MATRIX = [
    pytest.param(
        db,
        op,
        role,
        id=f"{db}-{op}-{role}-{'may' if role in rule.allowed else 'may-not'}",
        marks=[pytest.mark.postgres] if db == "postgres" else [],
    )
    for db in ("sqlite", "postgres")
    for op, rule in RULES.items()
    for role in (ROLES if db == "sqlite" else _cells(rule))
]


def scenario(console: Console) -> None:
    printed = console(*SETUP)
    assert "Action A1 for @tom" in printed


@pytest.fixture(scope="session")
def permissions_played(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Path:
    """The scenario played once into a SQLite file; each SQLite cell works on a copy of it."""
    return played_sqlite(tmp_path_factory.mktemp("permissions"), migrated_sqlite, scenario)


@pytest.fixture
def matrix_console(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Console]:
    """A console as priya in #team just after the scenario, on the cell's database."""
    with console_after(request, tmp_path, "permissions_played", scenario) as console:
        yield console


@pytest.mark.parametrize(("matrix_console", "op", "role"), MATRIX, indirect=["matrix_console"])
def test_permission_matrix(matrix_console: Console, op: str, role: str) -> None:
    console = matrix_console
    rule = RULES[op]
    user = ROLES[role]
    console(*rule.before, f":as {user}")
    if op in {"end", "decision", "action", "note"}:
        console(":in ward")
    before = snapshot(console.store)
    printed = console(rule.line)
    found = blocks(printed)
    refusals = [b for b in found if b.startswith(f"[only @{user}] Only ")]
    if role in rule.allowed:
        assert not refusals, printed
        assert rule.success in printed
        if rule.changes:
            assert snapshot(console.store) != before
    else:
        assert len(found) == 1, printed
        refusal = rule.refusals.get(role, rule.refusal)
        assert found[0].startswith(f"[only @{user}] {refusal}"), found[0]
        assert snapshot(console.store) == before


def _action(console: Console) -> tuple[date, date | None, str | None, list[str]]:
    with reading(console) as session:
        action = session.scalars(select(Action).where(Action.number == 1)).one()
        kinds = session.scalars(
            select(ActionUpdate.kind).where(ActionUpdate.action_id == action.id)
        ).all()
        return action.due, action.extension_requested, action.extension_reason, list(kinds)


def test_owner_asks_and_the_chair_agrees(console: Console) -> None:
    scenario(console)
    printed = console(":as tom", "/mdt extend A1 to 12/2/2027 because the GP is away")
    assert "[only @tom] You asked for A1 to move to Fri 12 Feb 2027." in printed
    assert "[DM @priya] @tom asks to move A1" in printed
    assert "from Wed 10 Feb 2027 to Fri 12 Feb 2027 because the GP is away" in printed
    assert _action(console) == (
        date(2027, 2, 10),
        date(2027, 2, 12),
        "the GP is away",
        ["extension_asked"],
    )
    printed = console(":as priya", "/mdt extend A1 to 2027-02-12 because the GP is away")
    assert "[#ward] A1 now due Fri 12 Feb 2027 (was Wed 10 Feb 2027) because the GP is away" in (
        printed
    )
    assert "[DM @tom] A1 now due Fri 12 Feb 2027" in printed
    assert _action(console) == (
        date(2027, 2, 12),
        None,
        None,
        ["extension_asked", "extension"],
    )


def test_owner_asks_and_the_chair_declines(console: Console) -> None:
    scenario(console)
    console(":as tom", "/mdt extend A1 to 12/2/2027 because the GP is away")
    printed = console(":as priya", "/mdt extend A1 decline the family meet on the 11th")
    assert "[only @priya] The request to move A1 to Fri 12 Feb 2027 was declined" in printed
    assert "[DM @tom] The request to move A1 to Fri 12 Feb 2027 was declined" in printed
    assert "It stays due Wed 10 Feb 2027." in printed
    assert _action(console) == (
        date(2027, 2, 10),
        None,
        None,
        ["extension_asked", "extension_declined"],
    )


@pytest.mark.parametrize(
    ("user", "refusal"),
    [
        pytest.param(
            "tom",
            "Only the chair of M2 (@priya) can decline an extension.",
            id="owner-may-not-decline",
        ),
        pytest.param(
            "max",
            "Only @tom (who owns A1) or the chair, @priya, can change its due date.",
            id="minute-taker-may-not-decline",
        ),
        pytest.param(
            "zed",
            "Only @tom (who owns A1) or the chair, @priya, can change its due date.",
            id="stranger-may-not-decline",
        ),
    ],
)
def test_only_the_chair_declines(console: Console, user: str, refusal: str) -> None:
    scenario(console)
    console(":as tom", "/mdt extend A1 to 12/2/2027 because the GP is away")
    before = snapshot(console.store)
    printed = console(f":as {user}", "/mdt extend A1 decline no")
    assert printed.startswith(f"[only @{user}] {refusal}"), printed
    assert snapshot(console.store) == before


@pytest.mark.parametrize(
    ("user", "refusal"),
    [
        ("tom", "Only the chair of M2 (@priya) can agree an extension."),
        ("max", "Only @tom (who owns A1) or the chair, @priya, can change its due date."),
        ("zed", "Only @tom (who owns A1) or the chair, @priya, can change its due date."),
    ],
    ids=["owner-may-not-agree", "minute-taker-may-not-agree", "stranger-may-not-agree"],
)
def test_only_the_chair_agrees(console: Console, user: str, refusal: str) -> None:
    scenario(console)
    console(":as tom", "/mdt extend A1 to 12/2/2027 because the GP is away")
    before = snapshot(console.store)
    printed = console(f":as {user}", "/mdt extend A1 agree")
    assert printed.startswith(f"[only @{user}] {refusal}"), printed
    assert snapshot(console.store) == before
    assert "A1 now due Fri 12 Feb 2027" in console(":as priya", "/mdt extend A1 agree")


def test_only_an_owner_of_a_carried_action_attends_uninvited(console: Console) -> None:
    scenario(console)
    console(":in ward", "/mdt end M2", "/mdt reassign A1 to @zed", ":in team")
    printed = console(":as jo", "/mdt attend M1")
    assert "Only people invited to M1 can attend." in printed


def test_the_chair_sets_a_new_date_without_being_asked(console: Console) -> None:
    scenario(console)
    printed = console("/mdt extend A1 to 12/2/2027 because the plan changed")
    assert "A1 now due Fri 12 Feb 2027 (was Wed 10 Feb 2027)" in printed
    assert _action(console)[0] == date(2027, 2, 12)


def test_a_minute_taker_records_but_may_not_end(console: Console) -> None:
    scenario(console)
    printed = console(":as max", ":in ward", "decision: Discharge on Friday because it is safe")
    assert "[#ward] Decision D2 recorded in M2: Discharge on Friday" in printed
    before = snapshot(console.store)
    printed = console("/mdt end")
    assert printed.startswith("[only @max] Only the chair of M2 (@priya) can end it.")
    assert snapshot(console.store) == before


def test_a_captured_line_from_a_stranger_is_refused(console: Console) -> None:
    scenario(console)
    before = snapshot(console.store)
    printed = console(":as zed", ":in ward", "action: @zed tidy the flat by friday")
    assert printed.startswith(
        "[only @zed] Only the chair of M2 (@priya) or a minute-taker can record actions."
    )
    assert snapshot(console.store) == before


def test_the_chair_may_not_send_apologies(console: Console) -> None:
    scenario(console)
    before = snapshot(console.store)
    printed = console("/mdt apologies M1 on leave")
    assert printed.startswith("[only @priya] You chair M1, so you cannot send apologies.")
    assert "/mdt cancel M1" in printed
    assert snapshot(console.store) == before


def test_a_stranger_may_not_send_apologies(console: Console) -> None:
    scenario(console)
    before = snapshot(console.store)
    printed = console(":as zed", "/mdt apologies M1 on leave")
    assert printed.startswith(
        "[only @zed] Only people invited to M1 can send apologies. Ask the chair, @priya"
    )
    assert snapshot(console.store) == before


def test_the_new_owner_accepts_after_a_reassignment(console: Console) -> None:
    scenario(console)
    console("/mdt reassign A1 to @sam")
    before = snapshot(console.store)
    printed = console(":as tom", "/mdt accept A1")
    assert printed.startswith("[only @tom] Only @sam, who owns A1, can accept it.")
    assert snapshot(console.store) == before
    printed = console(":as sam", "/mdt accept A1")
    assert "You have accepted A1" in printed
