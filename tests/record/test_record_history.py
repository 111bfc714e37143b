"""Decision refs and one action's whole history: `/mdt show D4` and `/mdt show A17`."""

from __future__ import annotations

from tests.conftest import Console
from tests.support import blocks, snapshot

MEETING = [
    "/mdt iam Brighton Adult Social Care as social worker",
    "/mdt new Strategy today at 10:00 with @tom @sam",
    ":as tom",
    "/mdt iam Moat Housing as tenancy officer",
    ":as priya",
    ":clock 2027-02-01T10:00:00+00:00",
    "/mdt start M1",
    "decision: A Section 42 enquiry is needed because there is evidence of financial abuse",
    "action: @tom send the tenancy report by 5/2/2027 measure report on file",
    "/mdt end M1",
]


def test_decisions_are_numbered_per_workspace(console: Console) -> None:
    printed = console(*MEETING)
    assert "Decision D1 recorded in M1: A Section 42 enquiry is needed" in printed
    assert "D1. A Section 42 enquiry is needed" in printed
    printed = console("/mdt show D1")
    (reply,) = blocks(printed)
    assert reply.startswith("[only @priya] D1 from M1 Strategy, Mon 1 Feb 2027:")
    assert "Rationale: there is evidence of financial abuse. Recorded by @priya." in reply


def test_an_action_shows_its_whole_history(console: Console) -> None:
    console(*MEETING)
    console(
        ":as tom",
        "/mdt accept A1",
        ":clock +1d",
        "/mdt progress A1 draft with the manager",
        "/mdt extend A1 to 12/2/2027 because the manager is away",
        ":as priya",
        ":clock +1d",
        "/mdt extend A1 to 12/2/2027 because the manager is away",
        "/mdt reassign A1 to @sam",
        ":as sam",
        ":clock +1d",
        "/mdt done A1 sent by secure email",
    )
    before = snapshot(console.store)
    printed = console(":as tom", "/mdt show A1")
    assert snapshot(console.store) == before
    (reply,) = blocks(printed)
    assert reply == "\n".join(
        [
            "[only @tom] A1 from M1 Strategy: send the tenancy report",
            "Agreed: owner @tom (Moat Housing), due Fri 5 Feb 2027; measure: report on file; "
            "recorded Mon 1 Feb 2027.",
            "Now: done, owner @sam. SMART: S M R T.",
            "History:",
            "- Mon 1 Feb 2027: accepted by @tom",
            "- Tue 2 Feb 2027: progress: draft with the manager (@tom)",
            "- Tue 2 Feb 2027: @tom asked to move it to Fri 12 Feb 2027: the manager is away",
            "- Wed 3 Feb 2027: due date moved from Fri 5 Feb 2027 to Fri 12 Feb 2027 because "
            "the manager is away (@priya)",
            "- Wed 3 Feb 2027: reassigned from @tom to @sam (@priya)",
            "- Thu 4 Feb 2027: done: sent by secure email (@sam)",
        ]
    )


def test_show_names_the_kind_of_ref_it_did_not_find(console: Console) -> None:
    console(*MEETING)
    assert "There is no decision D7." in console("/mdt show D7")
    assert "There is no action A7." in console("/mdt show A7")
    assert "Only people invited to M1 can see D1." in console(":as zed", "/mdt show D1")
