"""Every read command costs the same statements over 5 meetings of a case series as over 50.

The forms come from the command table (`reads`), run by the series' chair over the history in
tests/history_seed.py: a per-meeting query anywhere (the reviews' "ratified later" was one)
makes the larger history cost more. Reading changes nothing, so both histories are seeded once.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commands import catalogue  # noqa: F401 - registers every command
from commands.registry import COMMANDS
from storage.db import Store
from storage.scratch import counting_statements
from tests.conftest import Console
from tests.history_seed import seed_history

SIZES = (5, 50)
FORMS = [
    (name, form) for name, spec in sorted(COMMANDS.items()) for form in spec.reads if name != "help"
]


@pytest.fixture(scope="module")
def histories(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path
) -> Iterator[dict[int, Console]]:
    """A console as priya in #team over each size of history."""
    consoles = {}
    for size in SIZES:
        folder = tmp_path_factory.mktemp(f"history{size}")
        shutil.copyfile(migrated_sqlite, folder / "mdt.db")
        store = Store.open(f"sqlite:///{folder / 'mdt.db'}")
        now = seed_history(store, size)
        consoles[size] = Console(store, now, "priya", "team", folder / "files")
    yield consoles
    for console in consoles.values():
        console.store.engine.dispose()


def statements(console: Console, size: int, form: str, name: str) -> list[str]:
    refs = {"meeting": f"M{size}", "action": f"A{2 * size - 1}", "decision": f"D{size}"}
    line = f"/mdt {name} {form.format(person='@tom', **refs)}".strip()
    with counting_statements(console.store.engine) as seen:
        printed = console(line)
    assert "Sorry" not in printed, printed
    assert printed.startswith("[only @priya]"), printed
    return seen


@pytest.mark.parametrize(("name", "form"), FORMS, ids=[f"{n} {f}".strip() for n, f in FORMS])
def test_a_read_costs_the_same_for_5_or_50_meetings(
    histories: dict[int, Console], name: str, form: str
) -> None:
    small, large = (statements(histories[size], size, form, name) for size in SIZES)
    assert len(large) == len(small), "\n\n".join(large)
    assert len(large) <= 20, "\n\n".join(large)


def test_a_period_review_from_a_date_reads_only_those_meetings(
    histories: dict[int, Console],
) -> None:
    console = histories[50]
    printed = console("/mdt review period from 1/10/2020")
    assert "Review of the meetings in #team from Thu 1 Oct 2020" in printed
    assert "11 meetings (M40, M41," in printed
    assert "M39" not in printed
    with counting_statements(console.store.engine) as seen:
        console("/mdt review period from 1/10/2020")
    fetched = [s for s in seen if "FROM meeting" in s and "starts_at >=" in s]
    assert fetched, "the start date is in the query, not applied afterwards"


def test_actions_mine_lists_the_earliest_due_first_and_chooses_them_in_sql(
    histories: dict[int, Console],
) -> None:
    console = histories[50]
    with counting_statements(console.store.engine) as seen:
        printed = console("/mdt actions mine")
    dues = [
        datetime.strptime(match, "%a %d %b %Y").replace(tzinfo=UTC).date()
        for match in re.findall(r"Task \S+, due (\w+ \d+ \w+ \d+)", printed)
    ]
    assert len(dues) > 10, printed
    assert dues == sorted(dues)
    (query,) = [s for s in seen if "FROM action" in s and "LIMIT" in s]
    assert "ORDER BY" in query.split("LIMIT")[0], "the 200 shown are the earliest due"
