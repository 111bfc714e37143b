"""Period and series reviews count minutes approved late (or still a draft) against 10 working
days, and the outstanding actions closed undone at a next meeting by reason kind."""

from __future__ import annotations

from tests.conftest import Console

# M1 ends Thu 4 Feb 2027: its minutes are due by Thu 18 Feb and approved Wed 24 Feb, 14 working
# days after. At M2 on Thu 25 Feb the chair closes M1's outstanding actions; M2's minutes are
# approved the next day, M3's never (it ended Mon 1 Mar: still within its 10 working days).
HISTORY = [
    "/mdt iam Brighton Adult Social Care as social worker",
    ":as tom",
    "/mdt iam Moat Housing as tenancy officer",
    ":as priya",
    "/mdt new Case review case BH-5521 on 4/2/2027 at 10:00 with @tom",
    ":clock 2027-02-04T10:00:00+00:00",
    "/mdt start M1",
    "action: @tom send the tenancy report by 18/2/2027",
    "action: @tom book the joint visit by 18/2/2027",
    "action: @priya ask the GP for the letter by 18/2/2027",
    "/mdt end M1",
    "/mdt new Case review follow-up case BH-5521 on 25/2/2027 at 10:00 with @tom",
    ":clock 2027-02-24T10:00:00+00:00",
    "/mdt approve M1",
    ":clock 2027-02-25T10:00:00+00:00",
    "/mdt start M2",
    "/mdt cancel A1 agency did not act: no report came after two reminders",
    "/mdt cancel A2 circumstances changed: the person moved in with family",
    "/mdt cancel A3 the GP wrote to the family instead",
    "/mdt end M2",
    ":clock 2027-02-26T10:00:00+00:00",
    "/mdt approve M2",
    "/mdt new Case review again case BH-5521 on 1/3/2027 at 10:00 with @tom",
    ":clock 2027-03-01T10:00:00+00:00",
    "/mdt start M3",
    "/mdt end M3",
    ":clock 2027-03-02T10:00:00+00:00",
]


def test_a_period_review_counts_late_minutes_and_actions_closed_undone(console: Console) -> None:
    console(*HISTORY)
    printed = console("/mdt review period from 1/2/2027")
    assert (
        "Minutes (3 meetings ended): 1 approved within 10 working days, 1 approved later"
        " (M1: 14 working days), 0 still a draft after 10 working days, 1 a draft not yet due.\n"
        "Actions closed undone: 3 (1 circumstances changed, 1 agency did not act,"
        " 1 for another reason).\n"
    ) in printed
    assert (
        "Stop leaving minutes in draft: approve them within 10 working days of the meeting"
        " (approved late or still a draft: 1 of 3 meetings ended: M1)"
    ) in printed
    assert (
        "Stop letting actions wait until the next meeting when an agency does not act: escalate"
        " them early (closed because the agency did not act: 1 of 3 actions closed undone;"
        " Moat Housing 1)"
    ) in printed
    page = next(console.session.files_dir.glob("review-*.html")).read_text()
    assert "1 approved later (M1: 14 working days)" in page
    assert "Actions closed undone: 3 (1 circumstances changed, 1 agency did not act" in page


def test_a_draft_past_10_working_days_is_named_until_approved(console: Console) -> None:
    console(*HISTORY[:11], ":clock 2027-02-22T10:00:00+00:00")
    printed = console("/mdt review period from 1/2/2027")
    assert "0 approved within 10 working days, 0 approved later, 1 still a draft after" in printed
    assert "(M1: 12 so far)" in printed
    assert "Actions closed undone" not in printed
    console("/mdt approve M1")
    assert "1 approved later (M1: 12 working days)" in console("/mdt review period from 1/2/2027")
