"""A whole meeting played through the console, as in the contract's example session."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Action, AuditEntry, Decision, Meeting
from tests.conftest import Console
from tests.support import blocks

EXAMPLE = """\
/mdt iam Brighton Adult Social Care as social worker
/mdt new Discharge planning case BH-5521 on 4/2/2027 at 10:00 for 1h type discharge case BH-5521 with @tom @ward7_nurse
:as tom
/mdt iam Moat Housing as tenancy officer
/mdt attend M1
:as priya
/mdt agenda M1 Adaptations needed at the flat
/mdt start M1
decision: Discharge to the flat on 11 Feb with a short-term reablement package because adaptations will be fitted by 10 Feb
action: @tom confirm the grab rails are fitted by 10/2/2027 measure photo of fitted rails shared with the team
/mdt end M1
"""  # noqa: E501

# The contract's example is typed on Mon 1 Feb for a meeting booked on Thu 4 Feb. Starting on
# another day asks the chair to confirm (contract section 10), so the session is played at the
# booked time: the clock moves to Thu 4 Feb 10:00 just before `/mdt start M1`.
AT_BOOKED_TIME = EXAMPLE.replace("/mdt start M1\n", ":clock 2027-02-04T10:00\n/mdt start M1\n")


def test_the_example_typed_days_early_asks_the_chair_to_confirm(console: Console) -> None:
    lines = EXAMPLE.splitlines()
    start = lines.index("/mdt start M1")
    console(*lines[:start])
    printed = console(lines[start])
    assert blocks(printed) == [
        "[only @priya] M1 is booked for Thu 4 Feb 2027 10:00, not today, so it has not started "
        "and nothing was changed. To start it now and move the meeting to now: "
        "`/mdt start M1 now`."
    ]
    assert "Discharge to the flat" not in console(lines[start + 1])
    printed = console("/mdt start M1 now", *lines[start + 1 :])
    assert "M1 was booked for Thu 4 Feb 2027 10:00; it has moved to now." in printed
    assert "Decision D1 recorded in M1" in printed
    assert "Minutes of M1 Discharge planning case BH-5521, Mon 1 Feb 2027" in printed


def test_example_session_runs_end_to_end(console: Console) -> None:
    printed = console(*AT_BOOKED_TIME.splitlines())
    heads = [b.split("] ")[0] + "]" for b in blocks(printed)]
    assert heads[:5] == [
        "[only @priya]",
        "[#team]",
        "[DM @tom]",
        "[DM @ward7_nurse]",
        "[only @tom]",
    ]
    assert "Your agency is Brighton Adult Social Care (sector: Adult Social Care)" in printed
    assert "M1 Discharge planning case BH-5521 - Thu 4 Feb 2027 10:00-11:00" in printed
    assert "Your agency is Moat Housing (sector: Housing), role: tenancy officer." in printed
    assert "Added to the agenda of M1: Adaptations needed at the flat (item 6)." in printed
    assert "Present: Adult Social Care (@priya), Housing (@tom)." in printed
    assert "Not quorate: no one from Health is present." in printed
    assert "Action A1 for @tom, due Wed 10 Feb 2027: confirm the grab rails are fitted" in printed
    assert "SMART: S M R T; A once @tom accepts." in printed
    assert "[DM @tom] You have a new action A1 from M1" in printed
    assert "Minutes of M1 Discharge planning case BH-5521, Thu 4 Feb 2027" in printed

    with console.store.transaction(console.session.now) as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.status == "ended"
        assert meeting.quorate is False
        decision = session.scalars(select(Decision)).one()
        assert decision.rationale == "adaptations will be fitted by 10 Feb"
        assert decision.to_ratify is True
        action = session.scalars(select(Action)).one()
        assert action.owner.display_name == "tom"
        assert (action.specific, action.measurable, action.relevant, action.time_bound) == (
            True,
            True,
            True,
            True,
        )
        assert action.accepted is False
        assert session.scalar(select(func.count()).select_from(AuditEntry)) > 10


def test_accepting_completes_the_smart_letters(console: Console) -> None:
    console(*AT_BOOKED_TIME.splitlines())
    printed = console(":as tom", "/mdt accept A1", "/mdt actions")
    assert "You have accepted A1, due Wed 10 Feb 2027." in printed
    assert "A1 @tom: confirm the grab rails are fitted, due Wed 10 Feb 2027 [open]" in printed
