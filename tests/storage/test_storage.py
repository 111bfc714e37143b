"""The records on SQLite and PostgreSQL: audit, UTC timestamps, numbering, idempotent capture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from commands.core import Core, CoreSettings
from commands.messages import Request, UserRef
from storage.db import Store
from storage.models import (
    Action,
    AuditEntry,
    Base,
    Decision,
    Meeting,
    Note,
    Person,
    Workspace,
)
from tests.conftest import Console
from tests.support import reading

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


class Directory:
    """People named `@name`, as on the console."""

    def resolve(self, token: str) -> UserRef | None:
        if not token.startswith("@"):
            return None
        name = token[1:].rstrip(".,")
        return UserRef(name, name)


def request(text: str, *, workspace: str = "W1", user: str = "priya", **extra: str) -> Request:
    return Request(
        platform="test",
        workspace=workspace,
        user=UserRef(user, user),
        channel=extra.pop("channel", "team"),
        text=text,
        now=NOW,
        **extra,
    )


def run(core: Core, text: str, **extra: str) -> str:
    messages = core.handle_command(request(text, **extra), Directory())
    return " | ".join(m.template for m in messages)


# Audit trail -----------------------------------------------------------------------------------


def test_audit_records_creation_with_the_actor(console: Console) -> None:
    console("/mdt new Strategy tomorrow at 10am with @tom")
    with reading(console) as session:
        priya = session.scalars(select(Person).where(Person.display_name == "priya")).one()
        meeting = session.scalars(select(Meeting)).one()
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "meeting", AuditEntry.entity_id == meeting.id
            )
        ).all()
        assert [e.change for e in entries] == ["created"]
        created = entries[0]
        assert created.actor_id == priya.id
        assert created.workspace_id == meeting.workspace_id
        assert created.at == console.session.now
        assert created.before is None
        assert created.after is not None
        assert created.after["title"] == "Strategy"
        assert created.after["starts_at"] == "2027-02-02T10:00:00+00:00"
        assert created.after["chair_id"] == priya.id
        tables = set(session.scalars(select(AuditEntry.entity)).all())
        assert {"workspace", "person", "meeting", "invitation"} <= tables


def test_audit_records_an_update_with_before_and_after(console: Console) -> None:
    console("/mdt new Strategy tomorrow at 10am with @tom", ":as tom", "/mdt attend M1")
    console(":as priya", ":clock +1h", "/mdt move M1 to 3/2/2027 at 14:00")
    with reading(console) as session:
        priya = session.scalars(select(Person).where(Person.display_name == "priya")).one()
        tom = session.scalars(select(Person).where(Person.display_name == "tom")).one()
        updates = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "meeting", AuditEntry.change == "updated")
            .order_by(AuditEntry.id)
        ).all()
        assert len(updates) == 1
        moved = updates[0]
        assert moved.actor_id == priya.id
        assert moved.at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
        assert moved.before == {
            "starts_at": "2027-02-02T10:00:00+00:00",
            "ends_at": "2027-02-02T11:00:00+00:00",
            "sequence": 0,
        }
        assert moved.after == {
            "starts_at": "2027-02-03T14:00:00+00:00",
            "ends_at": "2027-02-03T15:00:00+00:00",
            "sequence": 1,
        }
        rsvp = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "invitation", AuditEntry.change == "updated"
            )
        ).one()
        assert rsvp.actor_id == tom.id
        assert rsvp.before == {"rsvp": "invited"}
        assert rsvp.after == {"rsvp": "attending"}


def _tamper(store: Store, *, delete: bool) -> None:
    with store.transaction(NOW) as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        assert entry is not None
        if delete:
            session.delete(entry)
        else:
            entry.change = "tampered"
        session.flush()


def test_audit_entries_cannot_be_changed_or_deleted(store: Store) -> None:
    core = Core(store)
    assert "meeting:created" in run(core, "new Strategy tomorrow at 10am")
    with store.transaction(NOW) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry))
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        assert first is not None
        original = (first.entity, first.change, first.after)
    with pytest.raises(PermissionError, match="append-only"):
        _tamper(store, delete=False)
    with pytest.raises(PermissionError, match="append-only"):
        _tamper(store, delete=True)
    with store.transaction(NOW) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == count
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        assert entry is not None
        assert (entry.entity, entry.change, entry.after) == original


def test_a_rolled_back_command_leaves_no_audit(store: Store) -> None:
    core = Core(store)
    assert run(core, "new Strategy on 31/02/2027 at 10am") == "errors:new_needs_date"
    with store.transaction(NOW) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert session.scalar(select(func.count()).select_from(Workspace)) == 0


# UTC timestamps ---------------------------------------------------------------------------------


def _add_workspace(store: Store, created_at: datetime) -> None:
    with store.transaction(NOW) as session:
        session.add(Workspace(platform="test", external_id="naive", created_at=created_at))
        session.flush()


def test_naive_datetimes_are_refused(store: Store) -> None:
    naive = datetime(2027, 2, 1, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(StatementError) as refused:
        _add_workspace(store, naive)
    assert isinstance(refused.value.orig, ValueError)
    assert "naive datetime" in str(refused.value.orig)
    with store.transaction(NOW) as session:
        assert session.scalar(select(func.count()).select_from(Workspace)) == 0


def test_timestamps_read_back_aware_in_utc(store: Store) -> None:
    london = ZoneInfo("Europe/London")
    new_york = ZoneInfo("America/New_York")
    summer = datetime(2027, 7, 1, 10, 0, tzinfo=london)
    with store.transaction(NOW) as session:
        session.add(Workspace(platform="test", external_id="a", created_at=summer))
        session.add(
            Workspace(
                platform="test",
                external_id="b",
                created_at=datetime(2027, 7, 1, 5, 0, tzinfo=new_york),
            )
        )
    with store.transaction(NOW) as session:
        found = session.scalars(select(Workspace).order_by(Workspace.external_id)).all()
        for workspace in found:
            assert workspace.created_at.tzinfo is UTC
            assert workspace.created_at == datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
        assert found[0].created_at.utcoffset() == timedelta(0)


# Numbering --------------------------------------------------------------------------------------


def test_each_workspace_numbers_its_own_meetings_and_actions(store: Store) -> None:
    core = Core(store)
    for workspace in ("W1", "W2"):
        run(core, "new Strategy today at 10am with @tom", workspace=workspace)
        run(core, "start M1", workspace=workspace)
        assert "record:action" in run(
            core, "action M1 @tom send the plan by 10/2/2027", workspace=workspace
        )
    run(core, "new Second tomorrow at 2pm", workspace="W1")
    with store.transaction(NOW) as session:
        rows = session.execute(
            select(Workspace.external_id, Meeting.number, Meeting.title)
            .join(Workspace, Meeting.workspace_id == Workspace.id)
            .order_by(Workspace.external_id, Meeting.number)
        ).all()
        assert [tuple(r) for r in rows] == [
            ("W1", 1, "Strategy"),
            ("W1", 2, "Second"),
            ("W2", 1, "Strategy"),
        ]
        actions = session.execute(
            select(Workspace.external_id, Action.number)
            .join(Workspace, Action.workspace_id == Workspace.id)
            .order_by(Workspace.external_id)
        ).all()
        assert [tuple(r) for r in actions] == [("W1", 1), ("W2", 1)]
    assert run(core, "show M2", workspace="W2") == "errors:unknown_meeting"


# Idempotent capture ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "model"),
    [
        pytest.param("decision: Discharge on Friday because it is safe", Decision, id="decision"),
        pytest.param("agreed: Discharge on Friday", Decision, id="agreed"),
        pytest.param("note: The person joined by phone", Note, id="note"),
        pytest.param("action: @tom send the plan by 10/2/2027", Action, id="action"),
    ],
)
def test_a_line_delivered_twice_is_recorded_once(
    store: Store, line: str, model: type[Base]
) -> None:
    core = Core(store, CoreSettings())
    run(core, "new Strategy today at 10am with @tom")
    run(core, "start M1")
    delivered = request(line, thread_id="T1", message_id="1700000000.000100")
    first = core.handle_message(delivered, Directory())
    assert first
    assert first[0].template.startswith("record:")
    second = core.handle_message(delivered, Directory())
    assert second == []
    with store.transaction(NOW) as session:
        rows = session.scalars(select(model)).all()
        assert len(rows) == 1
        assert rows[0].source_message_id == "1700000000.000100"
        assert rows[0].source_channel == "team"
    other = core.handle_message(
        request(line, thread_id="T1", message_id="1700000000.000200"), Directory()
    )
    assert other
    with store.transaction(NOW) as session:
        assert len(session.scalars(select(model)).all()) == 2


def test_ordinary_lines_are_left_alone(store: Store) -> None:
    core = Core(store)
    run(core, "new Strategy today at 10am")
    run(core, "start M1")
    assert core.handle_message(request("hello all, joining late"), Directory()) == []
    assert core.handle_message(request("decisions were made"), Directory()) == []


def test_capture_only_while_a_meeting_runs_here(store: Store) -> None:
    core = Core(store)
    run(core, "new Strategy today at 10am")
    assert core.handle_message(request("decision: discharge"), Directory()) == []
    run(core, "start M1")
    assert core.handle_message(request("decision: discharge", channel="other"), Directory()) == []
    with store.transaction(NOW) as session:
        assert session.scalars(select(Decision)).all() == []


# Migrations ------------------------------------------------------------------------------------


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
