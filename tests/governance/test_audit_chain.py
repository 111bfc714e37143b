"""The hash-chained audit trail: verify finds edits, deletions and moves; the database refuses
changes; concurrent writers on PostgreSQL never fork the chain; the trail of a meeting, listed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.cli import main
from commands.core import Core
from commands.messages import Request, UserRef
from storage.db import Store, alembic_config, make_engine
from storage.triggers import POSTGRES_TRIGGERS, SQLITE_TRIGGERS
from tests.conftest import Console

SCENARIO = [
    "/mdt new Strategy case AB-1234 today at 10am type strategy with @tom @sam",
    "/mdt agenda M1 Housing options",
    "/mdt start M1",
    "/mdt decision M1 Refer to the housing panel because the tenancy is at risk",
    "/mdt action M1 @tom book the housing panel by 10/2/2027 measure panel date agreed",
    ":as tom",
    "/mdt done A1 panel booked",
    ":as priya",
]


def url_of(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def verify(store: Store, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["audit", "verify", "--db", url_of(store)])
    return status, capsys.readouterr().out


def audit_ids(store: Store) -> list[int]:
    with store.engine.connect() as connection:
        return list(connection.scalars(text("SELECT id FROM audit_entry ORDER BY id")))


@contextmanager
def triggers_dropped(store: Store) -> Iterator[None]:
    """The append-only triggers gone for the block (as a tamperer with DDL rights would do)."""
    postgres = store.engine.dialect.name == "postgresql"
    on = " ON audit_entry" if postgres else ""
    with store.engine.begin() as connection:
        connection.execute(text(f"DROP TRIGGER audit_entry_no_update{on}"))
        connection.execute(text(f"DROP TRIGGER audit_entry_no_delete{on}"))
    try:
        yield
    finally:
        with store.engine.begin() as connection:
            for statement in POSTGRES_TRIGGERS[1:] if postgres else SQLITE_TRIGGERS:
                connection.execute(text(statement))


def test_the_chain_of_real_commands_verifies(
    console: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    console(*SCENARIO)
    status, out = verify(console.store, capsys)
    assert status == 0, out
    assert f"whole: {len(audit_ids(console.store))} rows verified" in out


def _edit(store: Store, ids: list[int]) -> int:
    target = ids[len(ids) // 2]
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_entry SET entity_id = entity_id + 1 WHERE id = :id"), {"id": target}
        )
    return target


def _delete(store: Store, ids: list[int]) -> int:
    target = ids[len(ids) // 2]
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": target})
    return ids[ids.index(target) + 1]


def _reorder(store: Store, ids: list[int]) -> int:
    """Swap two neighbouring rows, hashes and all, keeping their ids."""
    first, second = ids[len(ids) // 2], ids[len(ids) // 2 + 1]
    columns = "workspace_id, actor_id, at, entity, entity_id, change, before, after, hash"
    with store.engine.begin() as connection:
        rows = {
            row[0]: row[1:]
            for row in connection.execute(
                text(f"SELECT id, {columns} FROM audit_entry WHERE id IN (:a, :b)"),
                {"a": first, "b": second},
            )
        }
        names = columns.split(", ")
        assignments = ", ".join(
            f"{n} = :{n}" if n not in {"before", "after"} else f"{n} = CAST(:{n} AS {kind})"
            for n in names
            for kind in ["JSON" if store.engine.dialect.name == "postgresql" else "TEXT"]
        )
        for target, source in ((first, second), (second, first)):
            values = dict(zip(names, rows[source], strict=True))
            for key in ("before", "after"):
                values[key] = None if values[key] is None else _json_text(values[key])
            connection.execute(
                text(f"UPDATE audit_entry SET {assignments} WHERE id = :id"),
                {**values, "id": target},
            )
    return first


def _json_text(value: object) -> str:
    import json  # noqa: PLC0415

    return value if isinstance(value, str) else json.dumps(value)


@pytest.mark.parametrize(
    "tamper", [_edit, _delete, _reorder], ids=["edited", "deleted", "reordered"]
)
def test_verify_names_the_first_bad_row(
    console: Console, capsys: pytest.CaptureFixture[str], tamper: object
) -> None:
    console(*SCENARIO)
    ids = audit_ids(console.store)
    with triggers_dropped(console.store):
        bad = tamper(console.store, ids)  # type: ignore[operator]
    status, out = verify(console.store, capsys)
    assert status == 1
    assert f"broken at audit row {bad}:" in out, out


def test_a_recorded_head_shows_the_chain_was_cut_back(
    console: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    console(*SCENARIO[:3])
    url = url_of(console.store)
    assert main(["audit", "head", "--db", url]) == 0
    early = capsys.readouterr().out.strip()
    console(*SCENARIO[3:])
    assert main(["audit", "head", "--db", url]) == 0
    head = capsys.readouterr().out.strip()
    head_id = int(head.split(":")[0])
    assert head_id == audit_ids(console.store)[-1]
    for recorded in (early, head):
        assert main(["audit", "verify", "--head", recorded, "--db", url]) == 0
        assert "It holds the recorded head" in capsys.readouterr().out
    with triggers_dropped(console.store), console.store.engine.begin() as connection:
        cut = int(early.split(":")[0])  # the tail after the early head goes
        connection.execute(text("DELETE FROM audit_entry WHERE id > :id"), {"id": cut})
    status, out = verify(console.store, capsys)
    assert status == 0  # what is left still chains: only the recorded head tells
    assert main(["audit", "verify", "--head", early, "--db", url]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--head", head, "--db", url]) == 1
    out = capsys.readouterr().out
    assert f"broken at audit row {head_id}: the recorded head is no longer in the chain" in out
    assert "cut back" in out
    assert main(["audit", "verify", "--head", "12:not-a-hash", "--db", url]) == 2


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entry SET change = 'tampered'", "DELETE FROM audit_entry"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_audit_rows(console: Console, statement: str) -> None:
    console(*SCENARIO)
    before = audit_ids(console.store)
    with pytest.raises(DBAPIError, match="append-only"), console.store.engine.begin() as connection:
        connection.execute(text(statement))
    assert audit_ids(console.store) == before


def test_the_migration_chains_rows_written_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0006")
    with engine.begin() as connection:
        for n in range(5):
            connection.execute(
                text(
                    "INSERT INTO audit_entry (workspace_id, actor_id, at, entity, entity_id,"
                    " change, before, after) VALUES (1, 2, :at, 'meeting', :n, 'created',"
                    " NULL, :after)"
                ),
                {"at": f"2027-01-0{n + 1} 09:00:00.000000", "n": n, "after": '{"title": "x"}'},
            )
    command.upgrade(config, "heads")
    store = Store(engine)
    status, out = verify(store, capsys)
    assert status == 0, out
    assert "5 rows verified" in out
    engine.dispose()


def _writer(store: Store, number: int, errors: list[BaseException]) -> None:
    core = Core(store)
    try:
        for n in range(4):
            core.handle_command(
                Request(
                    platform="console",
                    workspace="local",
                    user=UserRef(f"user{number}", f"user{number}"),
                    channel="team",
                    text=f"iam Saxon Housing {number} {n} as officer",
                    now=datetime(2027, 2, 1, 9, n, tzinfo=UTC),
                ),
                _NoDirectory(),
            )
    except BaseException as error:
        errors.append(error)


class _NoDirectory:
    def resolve(self, token: str) -> UserRef | None:
        return None


@pytest.mark.postgres
def test_parallel_writers_never_fork_the_chain(
    postgres_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    _writer(postgres_store, 99, [])  # the workspace exists before the race
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(postgres_store, n, errors)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with postgres_store.engine.connect() as connection:
        agencies = connection.scalar(text("SELECT count(*) FROM agency"))
        prevs = connection.scalar(text("SELECT count(DISTINCT hash) FROM audit_entry"))
    assert agencies == 36
    assert prevs == len(audit_ids(postgres_store))
    status, out = verify(postgres_store, capsys)
    assert status == 0, out


def test_the_chair_lists_a_meetings_trail(console: Console) -> None:
    console(*SCENARIO)
    printed = console("/mdt audit M1")
    assert printed.startswith("[only @priya] Audit trail of M1 (")
    assert "@priya created the meeting" in printed
    assert "@priya created a decision" in printed
    assert "@tom changed an action: completed_at and status" in printed
    assert "Refer to the housing panel" not in printed  # who did what, not the words


def test_the_command_line_shows_an_actions_trail(
    console: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    console(*SCENARIO)
    assert main(["audit", "show", "a1", "--db", url_of(console.store)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Audit trail of A1 (")
    assert "@tom changed an action: completed_at and status" in out
    assert "@tom created an action's history" in out
    assert main(["audit", "show", "D1", "--db", url_of(console.store)]) == 0
    assert "@priya created a decision" in capsys.readouterr().out
    assert main(["audit", "show", "M9", "--db", url_of(console.store)]) == 2
    assert "M9 names nothing" in capsys.readouterr().err
