"""Quoracy: decisions before a required sector arrives are to be ratified; after, they stand."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Decision, Meeting
from tests.conftest import Console

SETUP = [
    "/mdt iam Brighton Adult Social Care as social worker",
    "/mdt new Discharge planning case BH-5521 on 1/2/2027 at 10:00 type discharge with @tom @nurse",
    ":as nurse",
    "/mdt iam NHS Sussex Community Health as district nurse",
    ":as priya",
    ":clock 2027-02-01T10:00:00+00:00",
    "/mdt start M1",
]


def test_a_late_arrival_makes_the_meeting_quorate(console: Console) -> None:
    printed = console(*SETUP)
    assert "Not quorate: no one from Health is present." in printed
    console("decision: Refer to the falls team")
    printed = console(":as nurse", "/mdt attend M1")
    assert "You are marked present at M1." in printed
    assert "[#team] M1 is now quorate: @nurse has joined." in printed
    console(":as priya", "decision: Discharge on Thursday")
    printed = console(":as nurse", "/mdt attend M1")
    assert "now quorate" not in printed
    with console.store.transaction(console.session.now) as session:
        assert session.scalars(select(Meeting.quorate)).one() is True
        decisions = session.execute(select(Decision.text, Decision.to_ratify)).all()
    assert sorted(tuple(d) for d in decisions) == [
        ("Discharge on Thursday", False),
        ("Refer to the falls team", True),
    ]


def test_someone_from_a_sector_already_there_does_not_make_it_quorate(console: Console) -> None:
    console(*SETUP)
    printed = console(":as tom", "/mdt iam Moat Housing as tenancy officer", "/mdt attend M1")
    assert "now quorate" not in printed
    with console.store.transaction(console.session.now) as session:
        assert session.scalars(select(Meeting.quorate)).one() is False
