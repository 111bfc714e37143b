"""Handover, apologies with a report, a venue in the invite, `start M3 now`, dissent escalated."""

from __future__ import annotations

from tests.conftest import Console
from tests.scenarios import minutes
from tests.support import blocks


def test_the_new_chair_is_told_and_can_start_and_the_old_one_sends_apologies(
    console: Console,
) -> None:
    console("/mdt new Strategy today at 10:00 with @tom @sam")
    printed = console("/mdt handover M1 to @sam")
    assert "[#team] @priya has handed M1 Strategy over: @sam now chairs it." in printed
    assert "[DM @sam] @priya has handed M1 Strategy" in printed
    printed = console("/mdt apologies M1 at court sent report")
    assert "[only @priya] Apologies sent for M1" in printed
    assert "The minutes will say you sent a report." in printed
    assert (
        "[DM @sam] @priya sent apologies for M1 Strategy: at court. They have sent a report."
        in (printed)
    )
    assert "Only the chair of M1 (@sam) can start it." in console("/mdt start M1")
    printed = console(":as sam", ":clock 2027-02-01T10:00:00+00:00", "/mdt start M1", "/mdt end M1")
    assert "M1 has started" in printed
    text = minutes(console, "txt")
    assert "Chair: @sam." in text
    assert "@priya: at court [sent a report]" in text


def test_invite_as_chair_points_to_handover(console: Console) -> None:
    console("/mdt new Strategy today at 10:00 with @tom")
    (reply,) = blocks(console("/mdt invite M1 @tom as chair"))
    assert "`/mdt handover M1 to @name`" in reply


def test_starting_on_another_day_with_now_moves_the_meeting(console: Console) -> None:
    console("/mdt new Strategy on 4/2/2027 at 14:00 for 1h30 with @tom")
    printed = console("/mdt start M1 now")
    assert "[#team] M1 was booked for Thu 4 Feb 2027 14:00; it has moved to now." in printed
    console(":clock +1h", "/mdt end M1")
    assert "Minutes of M1 Strategy, Mon 1 Feb 2027" in minutes(console, "txt")
    assert "Booked 09:00-10:30 (Europe/London); held 09:00-10:00." in minutes(console, "txt")


def test_a_dissent_may_open_a_professional_disagreement(console: Console) -> None:
    console(
        "/mdt new Strategy today at 10:00 with @tom",
        ":clock 2027-02-01T10:00:00+00:00",
        "/mdt start M1",
        "decision: Discharge on Friday because the flat is ready",
    )
    printed = console(":as tom", "/mdt dissent D1 escalate the flat has no heating yet")
    assert "Dissent recorded under D1 (M1)" in printed
    assert "E1" in printed
