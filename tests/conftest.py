"""Shared fixtures: a real database (SQLite, and PostgreSQL when reachable) and a console."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.console import ConsoleSession, at_name
from bot.render import Renderer
from commands.core import Core, CoreSettings
from storage.db import Store, make_engine, migrate
from storage.models import Base
from storage.scratch import fresh_postgres

POSTGRES_URL = os.environ.get(
    "MDT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = bool(os.environ.get("MDT_REQUIRE_POSTGRES"))


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated; dropped at the end."""
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"MDT_REQUIRE_POSTGRES is set but PostgreSQL is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem})")
    with fresh_postgres(POSTGRES_URL, "mdt_test") as url:
        yield url


def empty_postgres(store: Store) -> None:
    """Every table of a PostgreSQL database emptied, its numbering restarted."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with store.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite file migrated once per run; each test works on a copy of it."""
    path = tmp_path_factory.mktemp("migrated") / "mdt.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty database: SQLite in a temporary file, and PostgreSQL."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), tmp_path / "mdt.db")
        opened = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}")
    else:
        opened = Store(make_engine(request.getfixturevalue("postgres_url")))
        empty_postgres(opened)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    """A migrated, empty PostgreSQL database, for what only PostgreSQL does (row locks)."""
    opened = Store(make_engine(postgres_url))
    empty_postgres(opened)
    yield opened
    opened.engine.dispose()


# The console's renderer keeps no state: sharing it saves compiling the templates for each test.
CONSOLE_RENDERER = Renderer(mention=at_name)


class Console:
    """The real console, driven line by line; each call returns what the bot printed."""

    def __init__(self, store: Store, now: datetime, user: str, channel: str, files: Path) -> None:
        self.out = io.StringIO()
        self.core = Core(store, CoreSettings())
        self.session = ConsoleSession(
            core=self.core,
            user=user,
            channel=channel,
            now=now,
            out=self.out,
            files_dir=files,
            renderer=CONSOLE_RENDERER,
        )
        self.store = store

    def __call__(self, *lines: str) -> str:
        start = self.out.tell()
        for line in lines:
            self.session.line(line)
        self.out.seek(start)
        printed = self.out.read()
        self.out.seek(0, io.SEEK_END)
        return printed


START = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)  # the console fixture's clock


def played_sqlite(folder: Path, migrated: Path, play: Callable[[Console], None]) -> Path:
    """A SQLite file on which `play` ran once, as priya in #team at START: many tests copy it
    rather than play the same scenario each time."""
    shutil.copyfile(migrated, folder / "mdt.db")
    store = Store.open(f"sqlite:///{folder / 'mdt.db'}")
    play(Console(store, START, "priya", "team", folder / "files"))
    store.engine.dispose()
    return folder / "mdt.db"


@contextmanager
def console_after(
    request: pytest.FixtureRequest, tmp_path: Path, played: str, play: Callable[[Console], None]
) -> Iterator[Console]:
    """A console just after `play`: on SQLite a copy of the session's played file (the fixture
    named `played`), on PostgreSQL (`request.param`) an emptied database where it plays now."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue(played), tmp_path / "mdt.db")
        store = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}")
    else:
        store = Store(make_engine(request.getfixturevalue("postgres_url")))
        empty_postgres(store)
    console = Console(store, START, "priya", "team", tmp_path / "files")
    if request.param != "sqlite":
        play(console)
    try:
        yield console
    finally:
        store.engine.dispose()


@pytest.fixture
def console(store: Store, tmp_path: Path) -> Console:
    """A console as priya in #team on Monday 1 Feb 2027, 09:00 London."""
    return Console(store, START, "priya", "team", tmp_path / "files")
