"""Saying you are away: chasers wait until you are back, or go to the cover; the chair hears."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.worker import console_sweep
from storage.models import Absence, AuditEntry
from tests.conftest import Console
from tests.support import blocks, reading

# Mon 7 Dec 2026: A1 due Wed 9 Dec; chaser 1 on Fri 11 Dec, chaser 2 (to the chair too) Tue 15 Dec.
SETUP = [
    ":clock 2026-12-07T09:00:00+00:00",
    "/mdt new Case review case CR-1 on 7/12/2026 at 10:00 with @tom @sam",
    "/mdt start M1",
    "/mdt action M1 @tom send the care plan to the GP by 9/12/2026 measure GP confirms",
    ":as tom",
    "/mdt accept A1",
]


@pytest.fixture
def chased(console: Console) -> Console:
    """A1 given to @tom and accepted, the sweep wired to `:clock`; @tom is typing."""
    console.session.sweep = console_sweep(console.store)
    assert "You have accepted A1" in console(*SETUP)
    return console


def to(printed: str, name: str) -> list[str]:
    """The first line of each block sent privately to one person."""
    return [b.splitlines()[0] for b in blocks(printed) if b.startswith(f"[DM @{name}]")]


def test_a_chaser_waits_until_the_owner_is_back(chased: Console) -> None:
    printed = chased("/mdt away from 10/12 to 11/12")
    assert printed == (
        "[only @tom] You are away from Thu 10 Dec 2026 to Fri 11 Dec 2026, back Mon 14 Dec 2026."
        " Chasers about your actions wait until Mon 14 Dec 2026; the chair still hears if one is"
        " overdue. To cancel: `/mdt away off`.\n"
    )
    assert to(chased(":clock 2026-12-09T10:00:00+00:00"), "tom") == [
        "[DM @tom] A1 is due today, Wed 9 Dec 2026: send the care plan to the GP (measure: GP"
        " confirms). From M1 Case review."
    ]
    assert blocks(chased(":clock 2026-12-11T10:00:00+00:00")) == []
    assert to(chased(":clock 2026-12-14T09:30:00+00:00"), "tom") == [
        "[DM @tom] A1 is overdue: it was due Wed 9 Dec 2026, 3 working days ago: send the care"
        " plan to the GP. From M1 Case review."
    ]


def test_with_a_cover_the_cover_gets_the_chaser(chased: Console) -> None:
    printed = chased("/mdt away from 10/12 to 11/12 cover @sam")
    assert "Chasers about your actions go to @sam, who covers for you" in printed
    assert to(printed, "sam") == [
        "[DM @sam] @tom is away from Thu 10 Dec 2026 to Fri 11 Dec 2026 and has named you as"
        " cover: chasers about their actions come to you until they are back on Mon 14 Dec 2026."
    ]
    found = blocks(chased(":clock 2026-12-11T10:00:00+00:00"))
    assert found == [
        "[DM @sam] You are covering A1 for @tom, away until Fri 11 Dec 2026. It is overdue: it was"
        " due Wed 9 Dec 2026, 2 working days ago: send the care plan to the GP (measure: GP"
        " confirms). From M1 Case review.\n"
        "@tom is back Mon 14 Dec 2026. To take it on yourself, ask the chair, @priya:"
        " `/mdt reassign A1 to @sam`."
    ]


def test_the_chair_still_hears_of_an_overdue_action_saying_the_owner_is_away(
    chased: Console,
) -> None:
    chased("/mdt away from 10/12 to 18/12")
    printed = chased(":clock 2026-12-15T10:00:00+00:00")
    assert to(printed, "tom") == []
    chair = [b for b in blocks(printed) if b.startswith("[DM @priya]")]
    assert len(chair) == 1
    assert chair[0].startswith("[DM @priya] A1 for @tom is overdue: due Wed 9 Dec 2026")
    assert (
        "\n@tom is away until Fri 18 Dec 2026, back Mon 21 Dec 2026; nobody covers, so they are"
        " not chased until then.\n" in chair[0]
    )
    assert "[#team] Overdue: A1 (M1) with @tom (away until Fri 18 Dec 2026), due" in printed


@pytest.mark.parametrize("line", ["/mdt away off", "/mdt back"])
def test_cancelling_the_absence_brings_the_chasers_back(chased: Console, line: str) -> None:
    chased("/mdt away from 10/12 to 11/12 cover @sam", ":clock 2026-12-10T12:00:00+00:00")
    printed = chased(line)
    assert printed.startswith(
        "[only @tom] Welcome back: your absence (until Fri 11 Dec 2026) has ended. Chasers about"
        " your actions come to you again."
    )
    assert to(printed, "sam") == ["[DM @sam] @tom is back: you no longer cover for them."]
    found = chased(":clock 2026-12-11T10:00:00+00:00")
    assert to(found, "sam") == []
    assert to(found, "tom")[0].startswith("[DM @tom] A1 is overdue")
    assert "not recorded as away" in chased("/mdt away")


def test_a_planned_absence_is_shown_and_cancelled_before_it_starts(chased: Console) -> None:
    chased("/mdt away 21/12 to 4/1 cover @sam")
    assert chased("/mdt away") == (
        "[only @tom] You are recorded as away:\n"
        "- Mon 21 Dec 2026 to Mon 4 Jan 2027, back Tue 5 Jan 2027; @sam covers.\n"
        "To cancel the first: `/mdt away off`.\n"
    )
    printed = chased("/mdt away off")
    assert "Your absence from Mon 21 Dec 2026 to Mon 4 Jan 2027 is cancelled." in printed
    with reading(chased) as session:
        rows = session.scalars(select(Absence)).all()
        assert [(r.cancelled_at is not None, r.cover_id is not None) for r in rows] == [
            (True, True)
        ]


def test_the_unaccepted_notice_says_the_owner_is_away(console: Console) -> None:
    console.session.sweep = console_sweep(console.store)
    console(
        ":clock 2026-12-17T11:00:00+00:00",
        "/mdt new Case review case CR-1 on 17/12/2026 at 11:30 with @tom @sam",
        "/mdt start M1",
        "/mdt action M1 @tom send the care plan to the GP by 15/1/2027 measure GP confirms",
        ":as tom",
        "/mdt away from 18/12 to 4/1 cover @sam",
        ":as priya",
    )
    found = blocks(console(":clock 2026-12-21T11:30:00+00:00"))
    chair = [b for b in found if b.startswith("[DM @priya] @tom has not accepted A1")]
    assert len(chair) == 1
    assert (
        "\n@tom is away until Mon 4 Jan 2027, back Tue 5 Jan 2027; @sam covers for them and gets"
        " the chasers meanwhile.\n" in chair[0]
    )


def test_setting_an_absence_is_audited(chased: Console) -> None:
    printed = chased("/mdt away from 10/12 to 11/12", "/mdt away off")
    assert "is cancelled" in printed

    with reading(chased) as session:
        changes = session.execute(
            select(AuditEntry.change, AuditEntry.actor_id).where(AuditEntry.entity == "absence")
        ).all()
    assert [c for c, _ in changes] == ["created", "updated"]
    assert all(actor is not None for _, actor in changes)


def test_an_overlapping_absence_is_refused_and_changes_nothing(chased: Console) -> None:
    chased("/mdt away from 21/12 to 4/1")
    printed = chased("/mdt away from 1/1 to 8/1 cover @sam")
    assert printed == (
        "[only @tom] You are already recorded as away from Mon 21 Dec 2026 to Mon 4 Jan 2027."
        " Cancel that first with `/mdt away off`, or give other dates.\n"
    )
    with reading(chased) as session:
        assert len(session.scalars(select(Absence)).all()) == 1


def test_recording_an_action_for_someone_away_before_it_is_due_says_so(chased: Console) -> None:
    chased("/mdt away from 21/12 to 4/1 cover @sam", ":as priya")
    printed = chased("/mdt action M1 @tom phone the GP by 23/12/2026 measure call logged")
    assert (
        "\nNote: @tom is away from Mon 21 Dec 2026 to Mon 4 Jan 2027; @sam covers and gets the"
        " chasers meanwhile.\n" in printed
    )
    printed = chased("/mdt action M1 @tom phone the GP by 18/12/2026 measure call logged")
    assert "is away" not in printed


def test_a_cover_who_is_away_too_is_passed_over(chased: Console) -> None:
    chased("/mdt away from 10/12 to 11/12 cover @sam", ":as sam", "/mdt away from 11/12 to 11/12")
    assert blocks(chased(":clock 2026-12-11T10:00:00+00:00")) == []
    assert to(chased(":clock 2026-12-14T09:30:00+00:00"), "tom") == [
        "[DM @tom] A1 is overdue: it was due Wed 9 Dec 2026, 3 working days ago: send the care"
        " plan to the GP. From M1 Case review."
    ]
