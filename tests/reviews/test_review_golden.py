"""Golden files: each type's agenda, minutes with ratification marks, review summaries."""

from __future__ import annotations

import pytest

from commands.meetings.types import meeting_types
from commands.reviews.meeting_review import review_sweep
from tests.conftest import Console
from tests.goldens import check_golden

TEAM = [
    "/mdt iam West Sussex Adult Social Care as social worker",
    ":as sam",
    "/mdt iam NHS Community Mental Health as nurse",
    ":as tom",
    "/mdt iam Saxon Housing as housing officer",
    ":as jo",
    "/mdt iam Sussex Police as safeguarding officer",
    ":as priya",
]
STRATEGY = [
    *TEAM,
    "/mdt new Strategy discussion case WS-0042 on 3/2/2027 at 14:00 type strategy "
    "with @sam @tom @jo",
    ":as sam",
    "/mdt attend M1",
    ":as tom",
    "/mdt attend M1",
    ":as jo",
    "/mdt apologies M1 in court",
    ":as priya",
    ":clock 2027-02-03T14:00:00+00:00",
    "/mdt start M1",
    "decision: A Section 42 enquiry is needed because financial abuse is suspected",
    "decision: The person is told today by their social worker",
    "action: @sam share the GP's capacity notes by 5/2/2027 measure notes uploaded to the case "
    "record",
    "action: @tom consider a tenancy review by 10/2/2027",
    "/mdt end M1",
]
REVIEW = [
    ":as sam",
    "/mdt review M1 keep hearing from the GP before deciding",
    "/mdt review M1 start inviting the advocate",
    ":as tom",
    "/mdt review M1 stop starting without the police",
    "/mdt review M1 start sharing papers the day before",
    ":as priya",
]


@pytest.mark.parametrize("name", sorted(meeting_types()))
def test_each_type_agenda(console: Console, name: str) -> None:
    console(f"/mdt new Agenda check case AB-1234 on 4/2/2027 at 10:00 type {name}")
    printed = console("/mdt agenda M1")
    assert "1. Outstanding actions from the last meeting\n" in printed
    check_golden(f"agenda-{name}.txt", printed)


def test_minutes_mark_decisions_to_be_ratified(console: Console) -> None:
    console(*STRATEGY)
    printed = console("/mdt minutes M1")
    assert printed.count("[to be ratified]") == 3  # the notice and both decisions
    check_golden("minutes-not-quorate.txt", printed)


def test_meeting_review_summary(console: Console) -> None:
    console(*STRATEGY, *REVIEW)
    printed = console("/mdt review M1 close")
    assert "sam" not in printed.split("What the records show")[0].replace("@sam", "")
    check_golden("review-summary.txt", printed)


def test_period_review_summary(console: Console) -> None:
    console.session.sweep = review_sweep(console.store)
    console(
        *STRATEGY,
        *REVIEW,
        ":clock 2027-02-04T09:00:00+00:00",
        ":as sam",
        "/mdt accept A1",
        "/mdt done A1 notes uploaded",
        ":as priya",
        ":clock 2027-02-08T09:00:00+00:00",
        "/mdt new Strategy follow-up case WS-0042 on 17/2/2027 at 14:00 type strategy "
        "with @sam @tom @jo",
        ":as sam",
        "/mdt attend M2",
        ":as jo",
        "/mdt attend M2",
        ":as priya",
        ":clock 2027-02-17T14:00:00+00:00",
        "/mdt start M2",
        "decision: Ratify the Section 42 enquiry",
        "action: @jo visit the bank with the person by 24/2/2027 measure visit note on the record",
        "/mdt end M2",
        ":as jo",
        "/mdt review M2 keep police at the table",
        ":as priya",
        "/mdt review M2 close",
        ":clock 2027-03-01T09:00:00+00:00",
    )
    printed = console("/mdt review period from 1/2/2027 to 28/2/2027")
    check_golden("review-period.txt", printed)
    names = [p.name for p in console.session.files_dir.iterdir() if p.name.startswith("review-")]
    assert names == ["review-M1-M2-2027-02-01-2027-02-28.html"], "refs only, no channel id"
