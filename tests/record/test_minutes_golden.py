"""The minutes of a fixed meeting in each format, compared byte for byte with golden files.

Run with MDT_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tests.conftest import Console

GOLDEN = Path(__file__).parent.parent / "golden"
UPDATE = bool(os.environ.get("MDT_UPDATE_GOLDEN"))

# Present by sector (ASC, Housing, Health, Advocacy as a deputy), apologies with a deputy, one
# invitee who never replied, a type's agenda plus an item, decisions with and without a rationale
# (to be ratified: no one from Police came), a note, actions by owner, one of them overdue.
MEETING = [
    "/mdt iam Brighton Adult Social Care as social worker",
    "/mdt new Strategy discussion on 3/2/2027 at 10:00 for 1h30 type strategy case BH-5521 "
    "with @tom @nurse @sam @kim",
    "/mdt agenda M1 Risks & protection plan for the flat",
    ":as tom",
    "/mdt iam Moat Housing as tenancy officer",
    "/mdt attend M1",
    ":as nurse",
    "/mdt iam NHS Sussex Community Health as district nurse",
    "/mdt attend M1",
    ":as sam",
    "/mdt iam Sussex Advocacy Service as advocate",
    "/mdt apologies M1 on annual leave deputy @jo",
    ":as jo",
    "/mdt iam Sussex Advocacy Service as advocate",
    "/mdt attend M1",
    ":as priya",
    ":clock 2027-02-03T10:00:00+00:00",
    "/mdt start M1",
    "decision: A Section 42 enquiry is needed because there is evidence of financial abuse",
    "decision: The person is told of the enquiry by their advocate",
    "note: The person joined by phone for the first half",
    "action: @tom confirm the grab rails are fitted by 5/2/2027 measure photo shared with the team",
    "action: @nurse arrange a capacity assessment by 17/2/2027 "
    "measure assessment uploaded to the record",
    "action: @tom send the tenancy report to the chair by 24/2/2027",
    "/mdt end M1",
    ":as nurse",
    "/mdt accept A2",
    ":as priya",
    ":clock 2027-02-10T09:00:00+00:00",
]


def minutes(console: Console, fmt: str) -> bytes:
    """The file `/mdt minutes M1 <fmt>` attaches, as the console wrote it."""
    printed = console(f"/mdt minutes M1 {fmt}")
    path = console.session.files_dir / f"M1-minutes.{fmt}"
    assert f"(file: {path})" in printed
    return path.read_bytes()


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_minutes_match_the_golden_file(console: Console, fmt: str) -> None:
    printed = console(*MEETING)
    assert "Sorry" not in printed
    document = minutes(console, fmt)
    golden = GOLDEN / f"minutes.{fmt}"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(document)
    assert golden.exists(), f"no golden file: run with MDT_UPDATE_GOLDEN=1 to write {golden.name}"
    expected = golden.read_text(encoding="utf-8")
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True),
        document.decode().splitlines(keepends=True),
        f"golden/{golden.name}",
        "rendered",
    )
    assert document.decode() == expected, "".join(diff)


def test_the_golden_minutes_say_what_the_record_holds() -> None:
    """The golden text itself: a guard against accepting a broken rendering as golden."""
    text = (GOLDEN / "minutes.txt").read_text(encoding="utf-8")
    for expected in (
        "Minutes of M1 Strategy discussion, Wed 3 Feb 2027",
        "Booked 10:00-11:30 (Europe/London); held 10:00-10:00. Chair: @priya.",
        "DRAFT, version 1. Produced Wed 10 Feb 2027 09:00.",
        "Case: BH-5521.",
        "not quorate",
        "Adult Social Care: @priya (Brighton Adult Social Care, social worker)",
        "Housing: @tom (Moat Housing, tenancy officer)",
        "Health: @nurse (NHS Sussex Community Health, district nurse)",
        "Advocacy: @jo (Sussex Advocacy Service, advocate)",
        "@jo deputised for @sam",
        "@sam (Sussex Advocacy Service): on annual leave",
        "@kim",
        "10. Risks & protection plan for the flat",
        "A Section 42 enquiry is needed [to be ratified]",
        "Rationale: there is evidence of financial abuse",
        "Rationale: not recorded",
        "The person joined by phone for the first half (@priya)",
        "A1 confirm the grab rails are fitted, due Fri 5 Feb 2027;",
        "A1 confirm the grab rails are fitted: overdue, due Fri 5 Feb 2027, owner @tom",
        "A2 arrange a capacity assessment: open, due Wed 17 Feb 2027, owner @nurse",
        "SMART: S M R T",
        "Wed 3 Feb 2027: accepted by @nurse",
    ):
        assert expected in text, expected
    by_owner = text[text.index("Actions by owner") :]
    assert by_owner.index("@tom (Moat Housing)") < by_owner.index("A3 send the tenancy report")
    assert by_owner.index("A3 send the tenancy report") < by_owner.index("@nurse (NHS Sussex")
    html = (GOLDEN / "minutes.html").read_text(encoding="utf-8")
    assert "Risks &amp; protection plan for the flat" in html
    assert '<li class="overdue"><strong>A1</strong>' in html


def test_html_minutes_escape_what_users_typed(console: Console) -> None:
    console(
        "/mdt new <script>alert(1)</script> review today at 10am with @tom",
        "/mdt agenda M1 <img src=x onerror=alert(2)>",
        "/mdt start M1",
        'decision: Share the "<b>" plan because A < B & C > D',
        "action: @tom send <i>the</i> report to the GP by 10/2/2027",
        "note: <a href='javascript:x'>link</a>",
        "/mdt end M1",
    )
    html = minutes(console, "html").decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; review" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "Share the &#34;&lt;b&gt;&#34; plan" in html
    assert "A &lt; B &amp; C &gt; D" in html
    assert "<i>" not in html
    assert "<a href" not in html
    text = minutes(console, "txt").decode()
    assert "Minutes of M1 <script>alert(1)</script> review" in text
