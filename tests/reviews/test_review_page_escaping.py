"""User text that reaches the review page's suggestions and charts is escaped, never markup."""

from __future__ import annotations

from pathlib import Path

from bot.console import parse_moment
from storage.db import Store
from tests.conftest import Console
from tests.scenarios import DISCHARGE_ENDED

MARKUP = "<b onclick=alert(1)>Moat</b> Housing"


def test_an_agency_name_with_markup_is_escaped_on_the_review_page(tmp_path: Path) -> None:
    now = parse_moment("2027-02-01T09:00:00+00:00")
    assert now is not None
    store = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}", upgrade=True)
    console = Console(store, now, "priya", "team", tmp_path / "files")
    lines = [
        f"/mdt iam {MARKUP}" if line == "/mdt iam Moat Housing as tenancy officer" else line
        for line in DISCHARGE_ENDED
    ]
    console(*lines, ":clock 2027-02-20T09:00:00+00:00")
    printed = console("/mdt review series M1")
    store.engine.dispose()
    assert f"Stop letting {MARKUP}'s actions go overdue" in printed  # plain text in the console
    html = (tmp_path / "files" / "review-series-M1.html").read_text(encoding="utf-8")
    assert "&lt;b onclick=alert(1)&gt;Moat&lt;/b&gt; Housing" in html
    assert "<b onclick" not in html
