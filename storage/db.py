"""The unit of work: one engine per database, one transaction per command, migrations on demand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage import audit

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision\b[^=]*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(\([^)]*\)|[^\n]*)", re.M)


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, wal: bool) -> None:
    # The driver's own implicit BEGIN is turned off: _sqlite_begin says how each one starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    if wal:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # BEGIN IMMEDIATE takes the write lock at the start: transactions queue for it (up to the
    # busy timeout) instead of two readers both trying to write, one of them failing "locked".
    connection.exec_driver_sql("BEGIN IMMEDIATE")


SQLITE_BUSY_MS = 60000  # a queue of 50 commands on a busy machine can take half a minute


def _is_file(database: str | None) -> bool:
    """A SQLite database kept in a file (not in memory)."""
    if not database or database == ":memory:":
        return False
    return not database.startswith("file::memory") and "mode=memory" not in database


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite enforces foreign keys, runs one writer at a time (waiting
    for its turn), and a file is in WAL.

    Write-ahead logging lets readers go on while one command writes, and commits cost one write.
    """
    engine = create_engine(normalise_url(url), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        wal = _is_file(engine.url.database)
        event.listen(engine, "connect", partial(_sqlite_pragmas, wal=wal))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at our migrations and this engine."""
    from alembic.config import Config  # noqa: PLC0415 - Alembic (and Mako) only to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration (there is one head: a test checks it)."""
    from alembic import command  # noqa: PLC0415 - Alembic (and Mako) only to migrate

    command.upgrade(alembic_config(engine), "head")


def script_heads() -> frozenset[str]:
    """The newest revision of each branch, read from the migration files without Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return frozenset(revisions - parents)


def is_current(engine: Engine) -> bool:
    """The database already stands at every head: there is nothing for Alembic to do."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version"))
            versions = set(found.scalars().all())
    except DBAPIError:
        return False  # no version table yet (or no database): let Alembic say
    heads = script_heads()
    return bool(heads) and versions == heads


class Store:
    """Owns the engine and hands out one transaction per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        audit.install(self.sessions)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = False) -> Store:
        """Open the database at the URL, migrating it first when asked (and when behind)."""
        engine = make_engine(url)
        if upgrade and not is_current(engine):
            migrate(engine)
        return cls(engine)

    @contextmanager
    def transaction(
        self, now: datetime, actor_id: int | None = None, workspace_id: int | None = None
    ) -> Iterator[Session]:
        """A session that commits on success and rolls everything back on any error."""
        session = self.sessions()
        session.info.update(now=now, actor_id=actor_id, workspace_id=workspace_id)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
