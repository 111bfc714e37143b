"""Every command's help example works as typed, in a meeting where its refs exist."""

from __future__ import annotations

import pytest

from commands.registry import COMMANDS
from tests.conftest import Console

SETUP = [
    "/mdt iam West Sussex Adult Social Care as social worker",
    ":as sam",
    "/mdt iam NHS Community Mental Health as nurse",
    ":as tom",
    "/mdt iam Saxon Housing as housing officer",
    ":as priya",
    "/mdt new Strategy discussion case AB-1234 on friday at 10:00 type strategy with @sam @tom @jo",
    "/mdt new Second on friday at 14:00 with @sam @tom",
    "/mdt new Third on friday at 15:00 with @sam @tom",
]
# Meetings start at their booked time (Fri 5 Feb 2027): the clock moves there first.
BOOKED = {"M1": "2027-02-05T10:00", "M3": "2027-02-05T15:00", "M4": "2027-02-05T16:00"}


def start(ref: str) -> list[str]:
    """The lines that start a meeting at its booked time."""
    return [f":clock {BOOKED[ref]}", f"/mdt start {ref}"]


PREPARE = {
    "start": [f":clock {BOOKED['M3']}"],
    "action": start("M3"),
    "decision": start("M3"),
    "note": start("M3"),
    "end": start("M3"),
    "minutes": [*start("M3"), "/mdt end M3"],
    "review": [*start("M3"), "/mdt end M3"],
    "release": ["/mdt hold case AB-1234 a complaint is being investigated"],
    "back": ["/mdt away from 21/12 to 4/1"],
    "correct": [*start("M3"), "/mdt end M3"],
    "approve": [*start("M3"), "/mdt end M3"],
    "addendum": [*start("M3"), "/mdt end M3", "/mdt approve M3"],
    "dissent": [*start("M3"), *[f"decision: decision number {n}" for n in range(1, 5)]],
    # D4 is made at M1 (a strategy discussion, not quorate), then ratified at a later meeting
    # about the same case.
    "ratify": [
        *start("M1"),
        *[f"decision: decision number {n}" for n in range(1, 5)],
        "/mdt end M1",
        "/mdt new Follow-up case AB-1234 today at 16:00 with @sam",
        *start("M4"),
    ],
}
NEEDS_ACTION = {"accept", "done", "progress", "extend", "reassign"}
AS_OWNER = {"accept", "progress", "done", "extend"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_example_runs_without_error(console: Console, name: str) -> None:
    console(*SETUP)
    prepare = PREPARE.get(name, [])
    prepared = console(*prepare)
    for line in prepare:
        if line.startswith("/mdt start "):
            assert f"{line.split()[-1]} has started" in prepared, prepared
    if name in NEEDS_ACTION:
        prepared = console(
            *start("M3"),
            *[f"/mdt action M3 @tom task number {n} by friday" for n in range(1, 18)],
        )
        assert "M3 has started" in prepared, prepared
    if name in AS_OWNER:
        console(":as tom")
    example = COMMANDS[name].example
    printed = console(example)
    assert printed.strip(), f"no reply to {example}"
    for refusal in ("I don't know", "is not", "For example:", "Only ", "Sorry"):
        assert refusal not in printed, f"{example} was refused:\n{printed}"
    if name == "start":
        assert "M3 has started" in printed, printed
