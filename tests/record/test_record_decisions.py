"""Dissent under its decision, told to the chair; ratification at a later quorate meeting of the
same case, shown in both meetings' records; golden minutes of each."""

from __future__ import annotations

import pytest

from tests.conftest import Console
from tests.goldens import check_golden
from tests.scenarios import STRATEGY_MEETING, minutes
from tests.support import blocks, snapshot

DISSENT = [
    ":clock 2027-02-04T09:00:00+00:00",
    ":as nurse",
    "/mdt dissent D1 the evidence is not yet strong enough for an enquiry",
    ":as priya",
]
# M2: the same case, quorate (Police there), ratifies D1; kim's thread line disagrees with it.
LATER = [
    ":as kim",
    "/mdt attend M2",
    ":as nurse",
    "/mdt attend M2",
    ":as priya",
    ":clock 2027-02-10T10:00:00+00:00",
    "/mdt start M2",
    ":as kim",
    "disagree: D1 Police would have asked for a joint visit first",
    ":as priya",
    "/mdt ratify D1",
    "/mdt ratify D2 no the person has since said they will tell the family themselves",
    ":clock 2027-02-10T11:00:00+00:00",
    "/mdt end M2",
]
SECOND = (
    "/mdt new Strategy review on 10/2/2027 at 10:00 type strategy case BH-5521 "
    "with @tom @nurse @kim"
)
LATE_DECISION = "/mdt decision M1 The advocate tells the person because they know them best"


def test_dissent_shows_under_its_decision_and_the_chair_is_told(console: Console) -> None:
    console(*STRATEGY_MEETING)
    printed = console(*DISSENT)
    assert "[only @nurse] Dissent recorded under D1 (M1): @nurse (NHS Sussex Community Health)" in (
        printed
    )
    assert "[DM @priya] @nurse (NHS Sussex Community Health) disagrees with D1 of M1" in printed
    for fmt in ("txt", "md", "html"):
        check_golden(f"record-dissent.{fmt}", minutes(console, fmt))
    before = minutes(console, "txt")
    console(":as nurse", "/mdt iam Brighton Housing Trust", ":as priya")
    assert minutes(console, "txt") == before  # the agency the nurse spoke for then


def test_ratification_is_in_both_meetings_records(console: Console) -> None:
    console(*STRATEGY_MEETING, ":clock 2027-02-04T09:00:00+00:00", LATE_DECISION, SECOND)
    agenda = console("/mdt agenda M2")
    assert "D1 (M1): A Section 42 enquiry is needed (`/mdt ratify D1`)" in agenda
    assert "D2 (M1): The advocate tells the person" in agenda
    printed = console(*LATER)
    assert "Sorry" not in printed
    assert "[#team] D1 of M1 is ratified at M2: A Section 42 enquiry is needed" in printed
    assert "[DM @priya] @kim (Sussex Police) disagrees with D1 of M1" in printed
    for ref in ("M1", "M2"):
        for fmt in ("txt", "md", "html"):
            check_golden(f"record-ratified-{ref}.{fmt}", minutes(console, fmt, ref))


def test_an_unratified_decision_stays_on_every_next_agenda(console: Console) -> None:
    console(
        *STRATEGY_MEETING,
        SECOND,
        "/mdt new Third review on 17/2/2027 at 10:00 case BH-5521 with @tom",
    )
    assert "D1 (M1): A Section 42 enquiry is needed" in console("/mdt agenda M3")


@pytest.mark.parametrize(
    ("user", "line", "reply"),
    [
        pytest.param("priya", "/mdt ratify D1", "start that meeting here", id="no-later-meeting"),
        pytest.param("zed", "/mdt dissent D1 no", "Only people invited to M1", id="stranger"),
        pytest.param("tom", "/mdt dissent D1", "Say why you disagree", id="no-reason"),
        pytest.param(
            "priya", "/mdt ratify D1 no", "Say why the decision is not ratified", id="no-why"
        ),
        pytest.param("priya", "/mdt ratify D9", "There is no decision D9", id="unknown"),
    ],
)
def test_dissent_and_ratify_mistakes_change_nothing(
    console: Console, user: str, line: str, reply: str
) -> None:
    console(*STRATEGY_MEETING)
    before = snapshot(console.store)
    printed = console(f":as {user}", line)
    assert len(blocks(printed)) == 1, printed
    assert reply in printed
    assert snapshot(console.store) == before
