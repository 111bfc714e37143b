"""The migrations form one line: a second head (two migrations on one parent) fails here."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from storage.db import alembic_config, script_heads


def test_the_migrations_have_one_head() -> None:
    config = alembic_config(create_engine("sqlite://"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"more than one Alembic head: {sorted(heads)}; merge or renumber"
    assert script_heads() == frozenset(heads)
