"""Golden files: text compared with tests/golden/, rewritten when MDT_UPDATE_GOLDEN is set."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
FILE_LINE = re.compile(r"^\(file: .*[/\\]([^/\\]+)\)$", re.MULTILINE)


def normalise(printed: str) -> str:
    """Console output without the temporary folder attached files were written to."""
    return FILE_LINE.sub(r"(file: \1)", printed).rstrip() + "\n"


def check_golden(name: str, printed: str) -> None:
    """The text equals tests/golden/<name>; set MDT_UPDATE_GOLDEN=1 to accept a change."""
    text = normalise(printed)
    path = GOLDEN / name
    if os.environ.get("MDT_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with MDT_UPDATE_GOLDEN=1 to write it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), text.splitlines(keepends=True), path.name, "now"
            )
        )
        raise AssertionError(f"{path.name} differs (MDT_UPDATE_GOLDEN=1 accepts it):\n{diff}")
