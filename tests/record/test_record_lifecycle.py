"""The minutes as a record: draft at the end, late entries, corrections, approval, addenda and
what happened to each action since, in every format, compared with golden files."""

from __future__ import annotations

import pytest

from tests.conftest import Console
from tests.goldens import check_golden
from tests.scenarios import STRATEGY_MEETING, minutes
from tests.support import blocks, snapshot

LATE = [
    ":clock 2027-02-04T09:00:00+00:00",
    "/mdt decision M1 The advocate tells the person of the enquiry because they know them best",
    ":as max",
    "/mdt note M1 The advocate could not join and sent a written view",
    ":as priya",
]
CORRECTIONS = [
    ":clock 2027-02-05T14:00:00+00:00",
    ":as nurse",
    "/mdt correct M1 The capacity assessment is for the decision about money, not about care",
    ":as tom",
    "/mdt correct M1 I joined by phone, not in the room",
    ":as priya",
    "/mdt correct M1 accept 1",
    "/mdt correct M1 decline 2 Tom was in the room for the whole meeting",
]
APPROVED = [":clock 2027-02-08T10:00:00+00:00", "/mdt approve M1"]
ADDENDUM = [
    ":clock 2027-02-09T10:00:00+00:00",
    "/mdt addendum M1 The advocate confirmed on 9 Feb that the person was told of the enquiry",
]
SINCE = [
    ":as tom",
    "/mdt accept A1",
    "/mdt extend A1 to 12/2/2027 because the fitter is off sick",
    ":as priya",
    ":clock 2027-02-10T09:00:00+00:00",
    "/mdt extend A1 to 12/2/2027 because the fitter is off sick",
    "/mdt reassign A2 to @sam",
    ":as tom",
    ":clock 2027-02-12T15:00:00+00:00",
    "/mdt done A1 rails fitted, photo shared",
    ":as priya",
    "/mdt cancel A3 circumstances changed: the tenancy has ended",
    ":clock 2027-02-15T09:00:00+00:00",
]
STAGES = {
    "draft": STRATEGY_MEETING,
    "late": STRATEGY_MEETING + LATE,
    "corrections": STRATEGY_MEETING + LATE + CORRECTIONS,
    "approved": STRATEGY_MEETING + LATE + CORRECTIONS + APPROVED,
    "addendum": STRATEGY_MEETING + LATE + CORRECTIONS + APPROVED + ADDENDUM,
    "since": STRATEGY_MEETING + LATE + CORRECTIONS + APPROVED + ADDENDUM + SINCE,
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_the_minutes_at_each_stage_match_the_golden_files(console: Console, stage: str) -> None:
    printed = console(*STAGES[stage])
    assert "Sorry" not in printed
    for fmt in ("txt", "md", "html"):
        check_golden(f"record-{stage}.{fmt}", minutes(console, fmt))


def test_every_format_carries_marking_version_status_and_date(console: Console) -> None:
    console(*STAGES["approved"])
    for fmt in ("txt", "md", "html"):
        text = minutes(console, fmt)
        assert text.count("OFFICIAL-SENSITIVE") >= 2, fmt
        assert "APPROVED, version 3, on Mon 8 Feb 2027 by @priya" in text, fmt
        assert "Produced Mon 8 Feb 2027 10:00" in text, fmt


def test_the_draft_goes_to_the_channel_at_the_end(console: Console) -> None:
    printed = console(*STRATEGY_MEETING)
    posted = next(b for b in blocks(printed) if "Minutes of M1" in b)
    assert posted.startswith("[#team] Minutes of M1 Strategy discussion, Wed 3 Feb 2027\n")
    assert "OFFICIAL-SENSITIVE. DRAFT, version 1. Produced Wed 3 Feb 2027 11:20." in posted
    assert "Corrections to the chair by Wed 10 Feb 2027" in posted
    assert "booked 10:00-11:30" in posted.lower()
    assert "held 10:02-11:20" in posted


def test_approval_waits_for_every_correction_to_be_answered(console: Console) -> None:
    console(*STRATEGY_MEETING, ":as tom", "/mdt correct M1 I joined by phone", ":as priya")
    before = snapshot(console.store)
    printed = console("/mdt approve M1")
    assert "corrections waiting for an answer: 1" in printed
    assert snapshot(console.store) == before


@pytest.mark.parametrize(
    ("user", "line", "reply"),
    [
        pytest.param(
            "tom", "/mdt approve M1", "Only the chair of M1 (@priya) can approve", id="approve"
        ),
        pytest.param(
            "tom",
            "/mdt correct M1 accept 1",
            "Only the chair of M1 (@priya) can accept",
            id="accept",
        ),
        pytest.param(
            "zed", "/mdt correct M1 typo", "Only people invited to M1 can correct", id="stranger"
        ),
        pytest.param(
            "priya", "/mdt addendum M1 more", "are not approved yet", id="addendum-on-draft"
        ),
        pytest.param(
            "priya",
            "/mdt correct M1 decline 1",
            "Say why the correction is declined",
            id="no-reason",
        ),
        pytest.param("priya", "/mdt correct M1 accept 9", "There is no correction 9", id="unknown"),
        pytest.param(
            "priya", "/mdt cancel A1", "Say why A1 is closed undone", id="cancel-no-reason"
        ),
    ],
)
def test_lifecycle_mistakes_change_nothing(
    console: Console, user: str, line: str, reply: str
) -> None:
    console(*STRATEGY_MEETING, ":as tom", "/mdt correct M1 I joined by phone")
    before = snapshot(console.store)
    printed = console(f":as {user}", line)
    assert len(blocks(printed)) == 1, printed
    assert reply in printed
    assert snapshot(console.store) == before


# Every command in the registry, on M1 once its minutes are approved: a line that would change
# the locked record, or the reason it cannot.
LOCKED = {
    "action": "/mdt action M1 @tom ring the GP by 26/2/2027",
    "agenda": "/mdt agenda M1 One more item",
    "apologies": "/mdt apologies M1 on leave",
    "approve": "/mdt approve M1",
    "attend": "/mdt attend M1",
    "cancel": "/mdt cancel M1 not needed",
    "correct": "/mdt correct M1 One more thing",
    "dissent": "/mdt dissent D1 I disagree after all",
    "handover": "/mdt handover M1 to @tom",
    "decision": "/mdt decision M1 Something else because reasons",
    "end": "/mdt end M1",
    "invite": "/mdt invite M1 @jo",
    "move": "/mdt move M1 to 1/3/2027 at 10:00",
    "note": "/mdt note M1 Something else",
    "review": "/mdt review M1 start-action 1 @tom by 26/2/2027",
    "start": "/mdt start M1",
    "where": "/mdt where M1 Room 5, Hove Town Hall",
}
NOT_THE_MEETINGS_RECORD = {
    "accept": "an action's history goes on after approval ('Since the meeting')",
    "done": "an action's history goes on after approval",
    "progress": "an action's history goes on after approval",
    "extend": "an action's history goes on after approval",
    "reassign": "an action's history goes on after approval",
    "addendum": "the one change a locked record takes",
    "ratify": "happens at the later meeting, whose record it joins",
    "escalate": "a professional disagreement has its own record (section 12)",
    "resolve": "a professional disagreement has its own record (section 12)",
    "escalations": "reads only",
    "hold": "about a case's retention, not a meeting's record",
    "release": "about a case's retention, not a meeting's record",
    "actions": "reads only",
    "audit": "reads only",
    "help": "reads only",
    "iam": "about the caller, not a meeting",
    "away": "about the caller, not a meeting",
    "back": "about the caller, not a meeting",
    "list": "reads only",
    "minutes": "reads only",
    "new": "makes another meeting",
    "show": "reads only",
}


def test_every_command_is_either_refused_on_a_locked_meeting_or_says_why_not() -> None:
    from commands.registry import COMMANDS  # noqa: PLC0415

    assert set(LOCKED) | set(NOT_THE_MEETINGS_RECORD) == set(COMMANDS)
    assert not set(LOCKED) & set(NOT_THE_MEETINGS_RECORD)


@pytest.mark.parametrize("name", sorted(LOCKED))
def test_a_locked_meeting_refuses_every_change_naming_the_addendum(
    console: Console, name: str
) -> None:
    console(*STAGES["approved"], "/mdt review M1 start open the case file to the advocate")
    user = "tom" if name in {"attend", "apologies", "correct", "dissent"} else "priya"
    before = snapshot(console.store)
    printed = console(f":as {user}", LOCKED[name])
    (reply,) = blocks(printed)
    assert reply.startswith(f"[only @{user}] The minutes of M1 are approved and locked"), reply
    assert "`/mdt addendum M1 <text>`" in reply
    assert snapshot(console.store) == before
