"""Retention on SQLite and PostgreSQL: what is due is erased (the chain still verifies), a legal
hold keeps a case whole, a dry run changes nothing, and every disposal is logged and audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from bot.cli import main
from commands.governance.policy import Governance
from commands.governance.retention import daily_retention, run_retention
from commands.messages import Message
from commands.outbox.queue import enqueue
from storage.models import Action, Disposal, LegalHold, Meeting, OutboxMessage, Workspace
from tests.conftest import Console
from tests.support import reading, snapshot

CASE_WORDS = "Refer to the housing panel"
HELD_WORDS = "Ask the GP for a capacity assessment"
REVIEW_WORDS = "the joint home visit worked"
SCENARIO = [
    "/mdt new Strategy case AB-1234 tomorrow at 10am with @tom",
    "/mdt new Strategy case CD-5678 tomorrow at 2pm with @tom",
    ":clock 2027-02-02T10:00:00+00:00",
    "/mdt start M1",
    ":as tom",
    "/mdt attend M1",
    ":as priya",
    f"/mdt decision M1 {CASE_WORDS} because the tenancy is at risk",
    "/mdt action M1 @tom book the housing panel by 10/2/2027 measure panel date agreed",
    "/mdt end M1",
    f"/mdt review M1 keep {REVIEW_WORDS}",
    "/mdt review M1 close",
    ":clock 2027-02-02T14:00:00+00:00",
    "/mdt start M2",
    f"/mdt decision M2 {HELD_WORDS} because capacity is in doubt",
    "/mdt end M2",
]
SIX_YEARS_ON = datetime(2033, 3, 1, 9, 0, tzinfo=UTC)
THREE_YEARS_ON = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def stored_text(console: Console) -> str:
    """Every value of every row, the audit trail's JSON included, as one text."""
    return repr(snapshot(console.store))


def verify_status(console: Console) -> int:
    url = console.store.engine.url.render_as_string(hide_password=False)
    return main(["audit", "verify", "--db", url])


def test_a_case_past_its_period_is_erased_and_the_chain_still_verifies(console: Console) -> None:
    console(*SCENARIO, "/mdt hold case CD-5678 a complaint is being investigated")
    assert CASE_WORDS in stored_text(console)
    report = run_retention(console.store, Governance(), SIX_YEARS_ON)
    assert [d.subject for d in report.erased] == ["case AB-1234"]
    assert [d.subject for d in report.held] == ["case CD-5678"]
    everything = stored_text(console)
    assert CASE_WORDS not in everything
    assert REVIEW_WORDS not in everything
    assert "book the housing panel" not in everything
    assert HELD_WORDS in everything  # the hold kept it
    assert verify_status(console) == 0
    with reading(console) as session:
        log = session.scalars(select(Disposal)).all()
        assert [(d.rule, d.subject) for d in log] == [("case", "case AB-1234")]
        assert log[0].records["decision"] == 1
    printed = console(":clock 2033-03-01T09:00:00+00:00", "/mdt audit M1")
    assert "the bot erased the meeting" in printed


def test_without_a_hold_both_cases_go_and_a_release_lets_retention_apply(
    console: Console,
) -> None:
    console(*SCENARIO, "/mdt hold case CD-5678 a complaint is being investigated")
    console("/mdt hold case CD-5678 release")
    report = run_retention(console.store, Governance(), SIX_YEARS_ON)
    assert sorted(d.subject for d in report.erased) == ["case AB-1234", "case CD-5678"]
    assert report.held == []
    assert HELD_WORDS not in stored_text(console)
    assert verify_status(console) == 0
    again = run_retention(console.store, Governance(), SIX_YEARS_ON)
    assert again.erased == []


def test_review_answers_go_two_years_after_the_review_closes(console: Console) -> None:
    console(*SCENARIO)
    report = run_retention(console.store, Governance(), THREE_YEARS_ON)
    assert [d.subject for d in report.erased] == ["review of M1"]
    everything = stored_text(console)
    assert REVIEW_WORDS not in everything
    assert CASE_WORDS in everything
    assert verify_status(console) == 0


def test_a_dry_run_changes_nothing(console: Console, capsys: pytest.CaptureFixture[str]) -> None:
    console(*SCENARIO)
    before = snapshot(console.store)
    url = console.store.engine.url.render_as_string(hide_password=False)
    assert main(["retention", "--dry-run", "--now", SIX_YEARS_ON.isoformat(), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "nothing was erased" in out
    assert "Would erase case AB-1234" in out
    assert snapshot(console.store) == before


def test_the_command_line_erases_and_the_worker_runs_it_once_a_day(
    console: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    console(*SCENARIO)
    url = console.store.engine.url.render_as_string(hide_password=False)
    assert main(["retention", "--now", THREE_YEARS_ON.isoformat(), "--db", url]) == 0
    assert "Erased review of M1" in capsys.readouterr().out
    assert daily_retention(console.store, Governance(), THREE_YEARS_ON) is None  # ran today
    later = daily_retention(console.store, Governance(), SIX_YEARS_ON)
    assert later is not None
    assert [d.subject for d in later.erased] == ["case AB-1234", "case CD-5678"]


def test_a_hold_is_for_a_chair_of_the_case_or_a_safeguarding_lead(console: Console) -> None:
    console(*SCENARIO)
    printed = console(":as tom", "/mdt hold case AB-1234 court order")
    assert "Only a chair of a meeting of case AB-1234 (@priya) or a safeguarding lead" in printed
    printed = console(
        ":as sue",
        "/mdt iam West Sussex Adult Social Care as safeguarding lead",
        "/mdt hold case AB-1234 court order",
    )
    assert "Case AB-1234 is on legal hold" in printed
    printed = console("/mdt hold case AB-1234 another reason")
    assert "already on legal hold" in printed
    printed = console(":as priya", "/mdt release case AB-1234")
    assert "is released" in printed
    with reading(console) as session:
        holds = session.scalars(select(LegalHold)).all()
        assert [(h.reason, h.released_at is not None) for h in holds] == [("court order", True)]
        audited = session.execute(
            text("SELECT count(*) FROM audit_entry WHERE entity = 'legal_hold'")
        ).scalar()
        assert audited == 2


def test_what_was_sent_about_an_erased_case_loses_its_words(console: Console) -> None:
    console(*SCENARIO)
    with reading(console) as session:
        m1 = session.scalar(select(Meeting).where(Meeting.number == 1))
        assert m1 is not None
        workspace = session.get(Workspace, m1.workspace_id)
        assert workspace is not None
        action = session.scalar(select(Action).where(Action.meeting_id == m1.id))
        assert action is not None

        def send(key: str, words: str, action_id: int | None = None) -> None:
            message = Message("channel", "x", {"text": words}, "UTC", channel="team")
            enqueue(session, workspace, message, key=key, now=SIX_YEARS_ON, action_id=action_id)

        send("reminder", "tom, your task is due on Friday", action.id)
        send("decided", f"Decided: {CASE_WORDS}")
        send("other", "Team lunch moved to Friday")
    report = run_retention(console.store, Governance(), SIX_YEARS_ON)
    assert report.erased[0].counts["outbox_message"] == 2
    with reading(console) as session:
        sent = {r.key: r.payload for r in session.scalars(select(OutboxMessage))}
    assert sent["reminder"]["context"] == {"text": "[erased]"}
    assert sent["decided"]["context"] == {"text": "[erased]"}
    assert sent["decided"]["meta"]["workspace"] == workspace.external_id
    assert sent["other"]["context"] == {"text": "Team lunch moved to Friday"}
    assert CASE_WORDS not in stored_text(console)


def test_a_workspace_may_keep_its_records_longer_than_the_deployment(console: Console) -> None:
    console(*SCENARIO)
    with reading(console) as session:
        workspace = session.scalars(select(Workspace)).one().external_id
    longer = Governance(workspace_years=((workspace, 8, 2),))
    assert longer.retention_years(workspace) == (8, 2)
    assert longer.retention_years("another") == (6, 2)
    early = run_retention(console.store, longer, SIX_YEARS_ON).erased
    assert [d.subject for d in early] == ["review of M1"]  # reviews still go after 2 years
    eight_years_on = datetime(2035, 3, 1, 9, 0, tzinfo=UTC)
    erased = run_retention(console.store, longer, eight_years_on).erased
    assert sorted(d.subject for d in erased) == ["case AB-1234", "case CD-5678"]


def test_workspace_retention_comes_from_the_environment() -> None:
    from bot.config import Settings, SettingsError  # noqa: PLC0415 - the bot layer, here only

    env = {"MDT_RETENTION_CASE_YEARS": "7", "MDT_RETENTION_WORKSPACES": "T01:case=8; T02:review=3"}
    governance = Settings.from_env(env).governance
    assert governance.retention_years("T01") == (8, 2)
    assert governance.retention_years("T02") == (7, 3)
    assert governance.retention_years("T03") == (7, 2)
    for wrong in ("T01", "T01:case=soon", ":case=8", "T01:keep=8"):
        with pytest.raises(SettingsError, match="MDT_RETENTION_WORKSPACES"):
            Settings.from_env({"MDT_RETENTION_WORKSPACES": wrong})
