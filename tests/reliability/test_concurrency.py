"""Many people at the same instant: every command saved under its own number, every change once.

Real threads (one session each) on SQLite and PostgreSQL; separate console processes in
tests/reliability/test_concurrency_processes.py and through `mdtbot serve` in tests/slack/.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.console import ConsoleDirectory
from commands.core import Core, CoreSettings
from commands.messages import Message, Request, UserRef
from storage.db import Store
from storage.models import Absence, Action, ActionUpdate, Decision, Meeting, Review

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
THREADS = 10


def ask(core: Core, user: str, text: str) -> list[Message]:
    """Run `/mdt <text>` as a console user in #team."""
    request = Request(
        platform="console",
        workspace="console",
        user=UserRef(user, user),
        channel="team",
        text=text,
        now=NOW,
    )
    return core.handle_command(request, ConsoleDirectory({}))


def at_once(count: int, work: Callable[[int], list[Message]]) -> list[list[Message]]:
    """Run `work(i)` for i in range(count) on real threads, released together by a barrier."""
    barrier = threading.Barrier(min(count, THREADS))

    def run(index: int) -> list[Message]:
        if index < THREADS:
            barrier.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(count)))


def templates(results: list[list[Message]]) -> list[str]:
    return [m.template for messages in results for m in messages]


def posts(results: list[list[Message]], template: str, audience: str = "channel") -> int:
    """How many messages of the template went to the audience (a channel, by default)."""
    return sum(
        1
        for messages in results
        for m in messages
        if m.template == template and m.audience == audience
    )


@pytest.fixture
def core(store: Store) -> Core:
    """The core over an empty database, with M1 scheduled by priya, tom and sam invited."""
    made = Core(store, CoreSettings())
    assert "errors:" not in " ".join(
        templates([ask(made, "priya", "new Discharge planning today at 10:00 with @tom @sam")])
    )
    return made


def started(core: Core) -> None:
    assert ask(core, "priya", "start M1")[0].template == "meeting:started"


def test_fifty_concurrent_commands_are_all_saved_with_distinct_numbers(
    core: Core, store: Store
) -> None:
    started(core)

    kinds = ["new", "action", "decision"]

    def work(index: int) -> list[Message]:
        kind = kinds[index % 3]
        if kind == "new":
            return ask(core, "priya", f"new Case review {index} on 5 Feb at 11:00 with @tom")
        if kind == "action":
            return ask(core, "priya", f"action M1 @tom call the GP about item {index} by friday")
        return ask(core, "priya", f"decision M1 Refer item {index} because it is urgent")

    results = at_once(50, work)
    assert not [t for t in templates(results) if t.startswith("errors:")]
    made = {kind: sum(1 for i in range(50) if kinds[i % 3] == kind) for kind in kinds}
    with store.transaction(NOW) as session:
        meetings = list(session.scalars(select(Meeting.number)))
        actions = list(session.scalars(select(Action.number)))
        decisions = list(session.scalars(select(Decision.number)))
    assert sorted(meetings) == list(range(1, made["new"] + 2))
    assert sorted(actions) == list(range(1, made["action"] + 1))
    assert sorted(decisions) == list(range(1, made["decision"] + 1))
    assert posts(results, "meeting:created") == made["new"]
    assert posts(results, "record:action") == made["action"]
    assert posts(results, "record:decision") == made["decision"]


def test_first_sight_of_a_workspace_and_its_people_at_once(store: Store) -> None:
    core = Core(store, CoreSettings())

    def work(index: int) -> list[Message]:
        return ask(core, f"user{index % 3}", f"new Meeting {index} on 5 Feb at 11:00")

    results = at_once(12, work)
    assert not [t for t in templates(results) if t.startswith("errors:")]
    with store.transaction(NOW) as session:
        assert sorted(session.scalars(select(Meeting.number))) == list(range(1, 13))


PRESSES = 20


@pytest.mark.parametrize(
    ("prepare", "press", "template", "again"),
    [
        pytest.param([], "start M1", "meeting:started", "errors:already_started", id="start"),
        pytest.param(["start M1"], "end M1", "minutes.txt.j2", "errors:already_ended", id="end"),
        pytest.param(
            ["start M1", "action M1 @tom call the GP by friday"],
            "done A1",
            "actions:done",
            "errors:already_done",
            id="done",
        ),
    ],
)
def test_parallel_presses_of_a_state_change_have_one_effect_and_one_post(
    core: Core, store: Store, prepare: list[str], press: str, template: str, again: str
) -> None:
    for line in prepare:
        assert not ask(core, "priya", line)[0].template.startswith("errors:")
    results = at_once(PRESSES, lambda _i: ask(core, "priya", press))
    assert posts(results, template) == 1
    assert sorted(set(templates(results)) - {template}) <= sorted(
        {again, "reviews:opened", "reviews:ask"}
    )
    assert templates(results).count(again) == PRESSES - 1
    with store.transaction(NOW) as session:
        assert session.scalar(select(func.count()).select_from(Review)) == (
            1 if press.startswith("end") else 0
        )
        done = session.scalar(
            select(func.count()).select_from(ActionUpdate).where(ActionUpdate.kind == "done")
        )
        assert done == (1 if press.startswith("done") else 0)


def test_parallel_accepts_and_agreements_happen_once(core: Core, store: Store) -> None:
    started(core)
    assert ask(core, "priya", "action M1 @tom call the GP by friday")[0].template == (
        "record:action"
    )
    accepted = at_once(PRESSES, lambda _i: ask(core, "tom", "accept A1"))
    assert posts(accepted, "actions:accepted_note") == 1
    assert templates(accepted).count("actions:already_accepted") == PRESSES - 1
    asked = ask(core, "tom", "extend A1 to 12 Feb because the fitter is away")
    assert asked[0].template == "actions:extension_asked"
    agreed = at_once(
        PRESSES, lambda _i: ask(core, "priya", "extend A1 to 12 Feb because the fitter is away")
    )
    assert posts(agreed, "actions:extended") == 1
    assert posts(agreed, "actions:extended", "dm") == 1
    assert templates(agreed).count("errors:already_extended") == PRESSES - 1
    with store.transaction(NOW) as session:
        kinds = list(session.scalars(select(ActionUpdate.kind).order_by(ActionUpdate.id)))
    assert kinds == ["accepted", "extension_asked", "extension"]


def test_parallel_absences_of_one_person_record_one(core: Core, store: Store) -> None:
    results = at_once(PRESSES, lambda _i: ask(core, "tom", "away from 21/12 to 4/1 cover @sam"))
    assert templates(results).count("people:away_set") == 1
    assert templates(results).count("people:away_overlaps") == PRESSES - 1
    with store.transaction(NOW) as session:
        assert session.scalar(select(func.count()).select_from(Absence)) == 1
