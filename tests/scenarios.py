"""Scenarios more than one feature's tests play, and the helpers that read what they make."""

from __future__ import annotations

from tests.conftest import Console

# Police are required at a strategy discussion and kim (Police) sends apologies: not quorate.
STRATEGY_MEETING = [
    "/mdt iam Brighton Adult Social Care as social worker",
    "/mdt new Strategy discussion on 3/2/2027 at 10:00 for 1h30 type strategy case BH-5521 "
    "with @tom @nurse @max @kim",
    "/mdt invite M1 @max as minute-taker",
    ":as tom",
    "/mdt iam Moat Housing as tenancy officer",
    "/mdt attend M1",
    ":as nurse",
    "/mdt iam NHS Sussex Community Health as district nurse",
    "/mdt attend M1",
    ":as max",
    "/mdt iam Brighton Adult Social Care as business support officer",
    "/mdt attend M1",
    ":as kim",
    "/mdt iam Sussex Police as detective constable",
    "/mdt apologies M1 on a course",
    ":as priya",
    ":clock 2027-02-03T10:02:00+00:00",
    "/mdt start M1",
    "decision: A Section 42 enquiry is needed because there is evidence of financial abuse",
    "action: @tom confirm the grab rails are fitted by 5/2/2027 measure photo shared with the team",
    "action: @nurse arrange a capacity assessment by 17/2/2027 "
    "measure assessment uploaded to the record",
    "action: @tom send the tenancy report to the chair by 24/2/2027",
    "note: The person joined by phone for the first half",
    ":clock 2027-02-03T11:20:00+00:00",
    "/mdt end M1",
]

# A discharge planning meeting with one action, as the reviews' tests start from it.
DISCHARGE_MEETING = [
    "/mdt iam Brighton Adult Social Care as social worker",
    ":as tom",
    "/mdt iam Moat Housing as tenancy officer",
    ":as nina",
    "/mdt iam NHS Community Mental Health as nurse",
    ":as priya",
    "/mdt new Discharge planning case BH-5521 on 4/2/2027 at 10:00 type discharge with @tom @nina",
    ":as tom",
    "/mdt attend M1",
    ":as priya",
    ":clock 2027-02-04T10:00:00+00:00",
    "/mdt start M1",
    "action: @tom confirm the grab rails are fitted by 10/2/2027 measure photo shared",
]
DISCHARGE_ENDED = [*DISCHARGE_MEETING, "/mdt end M1"]


def minutes(console: Console, fmt: str, ref: str = "M1") -> str:
    """The file `/mdt minutes <ref> <fmt>` attaches."""
    printed = console(f"/mdt minutes {ref} {fmt}")
    path = console.session.files_dir / f"{ref}-minutes.{fmt}"
    assert f"(file: {path})" in printed, printed
    return path.read_text(encoding="utf-8")
