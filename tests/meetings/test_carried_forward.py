"""Carried-forward business is live until the next meeting ends, then fixed in its minutes."""

from __future__ import annotations

from tests.conftest import Console
from tests.scenarios import minutes

FIRST = [
    ":clock 2027-02-08T09:00:00+00:00",
    "/mdt new Complex case panel case CC-12 on 8/2/2027 at 10:00 every 2 weeks with @sam",
    ":clock 2027-02-08T10:00:00+00:00",
    "/mdt start M1",
    "/mdt action M1 @sam book the OT visit by 12/2/2027 measure visit date recorded",
    "/mdt action M1 @sam send the risk log by 19/2/2027 measure log on file",
    "/mdt end M1",
]
A1 = "A1 @sam: book the OT visit, due Fri 12 Feb 2027"
A2 = "A2 @sam: send the risk log, due Fri 19 Feb 2027"


def test_the_next_agenda_shows_each_carried_action_as_it_is_today(console: Console) -> None:
    console(*FIRST, ":clock 2027-02-15T09:00:00+00:00", ":as sam", "/mdt done A1 visit booked")
    agenda = console(":as priya", "/mdt agenda M2")
    assert "Outstanding actions from the last meeting (status on Mon 15 Feb 2027):" in agenda
    assert f"{A1} [done] (from M1)" in agenda
    assert f"{A2} [open] (from M1)" in agenda


def test_the_minutes_show_carried_actions_as_at_the_end_and_keep_them(console: Console) -> None:
    console(*FIRST, ":clock 2027-02-22T10:00:00+00:00", "/mdt start M2")
    console(":clock 2027-02-22T10:30:00+00:00", ":as sam", "/mdt done A2 log sent", ":as priya")
    console("/mdt end M2")
    ended = minutes(console, "txt", "M2")
    assert "(status on Mon 22 Feb 2027):" in ended
    assert f"{A2} [done] (from M1)" in ended  # done during the meeting
    assert f"{A1} [overdue] (from M1)" in ended
    console(":clock 2027-03-01T09:00:00+00:00", ":as sam", "/mdt done A1 visit booked late")
    assert (
        minutes(console, "txt", "M2").split("Agenda")[1].split("Decisions")[0]
        == (ended.split("Agenda")[1].split("Decisions")[0])
    )  # the record of M2's agenda stays as it was at its end
