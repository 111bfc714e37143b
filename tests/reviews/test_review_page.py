"""The HTML review page opened in headless Chromium: the inline SVG charts render."""

from __future__ import annotations

import os
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from bot.console import parse_moment
from storage.db import Store
from tests.conftest import Console
from tests.scenarios import DISCHARGE_ENDED

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = bool(os.environ.get("MDT_REQUIRE_POSTGRES"))
# Each chart's colours (commands.reviews.insights.COLOURS) and the least area its bars paint.
CHART_COLOURS = {
    "actions on time": (0x2F, 0x85, 0x5A),
    "actions late": (0xC0, 0x56, 0x21),
    "sector present": (0x2B, 0x6C, 0xB0),
    "sector absent": (0xC5, 0x30, 0x30),
    "not SMART": (0xB7, 0x79, 0x1F),
}
MIN_PIXELS = 1000


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0)
    assert colour in (2, 6)
    size = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * size
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up = previous[x]
            corner = previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[x] = (line[x] + _paeth(left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r[i : i + 3]) for r in rows for i in range(0, stride, size)]


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """A series review page with late actions, an absent sector and review items."""
    now = parse_moment("2027-02-01T09:00:00+00:00")
    assert now is not None
    store = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}", upgrade=True)
    console = Console(store, now, "priya", "team", tmp_path / "files")
    console(
        *DISCHARGE_ENDED,
        "/mdt action M1 @priya book respite care by 12/2/2027 measure booking confirmed in writing",
        "/mdt done A2 booked",
        ":as tom",
        "/mdt review M1 keep clear actions",
        "/mdt review M1 stop late papers",
        "/mdt review M1 start joint visits",
        ":as priya",
        ":clock 2027-02-20T09:00:00+00:00",
    )
    printed = console("/mdt review series M1")
    store.engine.dispose()
    assert "(file: " in printed
    return tmp_path / "files" / "review-series-M1.html"


def test_the_page_has_no_script_and_prints_well(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert html.count("<svg ") == 4
    assert "@media print" in html


def test_the_charts_render_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs it")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    shot = tmp_path / "page.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1000,1400",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, pixels = decode_png(shot.read_bytes())
    assert (width, height) == (1000, 1400)
    painted = Counter(pixels)
    background = painted.most_common(1)[0][0]
    assert background == b"\xff\xff\xff"
    for name, colour in CHART_COLOURS.items():
        assert painted[bytes(colour)] >= MIN_PIXELS, f"the {name} bars did not render"
