"""Helpers for the core's tests: console output split into blocks, and database snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from storage.db import Store
from storage.models import Base
from tests.conftest import Console

Snapshot = dict[str, list[tuple[Any, ...]]]


def blocks(printed: str) -> list[str]:
    """Split console output into blocks, each starting at a `[...]` head."""
    found: list[str] = []
    for line in printed.splitlines():
        if line.startswith("[") and "] " in line:
            found.append(line)
        elif found:
            found[-1] += "\n" + line
    return found


def heads(printed: str) -> list[str]:
    """The head of each block: `[#team]`, `[DM @tom]`, `[only @priya]`."""
    return [block.split("] ", 1)[0] + "]" for block in blocks(printed)]


def snapshot(store: Store) -> Snapshot:
    """Every row of every table, in primary-key order: equal snapshots mean nothing changed.

    A model whose migration is missing has no table to read; test_storage finds that gap.
    """
    rows: Snapshot = {}
    with store.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in present:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            result = connection.execute(select(table).order_by(*order))
            rows[table.name] = [tuple(row) for row in result]
    return rows


@contextmanager
def reading(console: Console) -> Iterator[Session]:
    """A session on the console's database at the console's clock, for checking records."""
    with console.store.transaction(console.session.now) as session:
        yield session
