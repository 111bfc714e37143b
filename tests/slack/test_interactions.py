"""Forms, shortcuts, escaping and rate limits, through signed payloads over real HTTP."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from bot.slack.modals import COMPLETE, NEW_MEETING, SHORTCUT_DECISION, SHORTCUT_VIEW
from storage.models import ActionUpdate, Decision, Invitation, Meeting
from tests.slack.conftest import BOOKED, PRIYA, TOM, Running
from tests.slack.payloads import (
    CHANNEL,
    block_action,
    message_event,
    message_shortcut,
    view_submission,
)
from tests.slack.test_meeting_flow import new_meeting_values, posts_to


def count(run: Running, model: type) -> int:
    with run.store.transaction(run.clock()) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def opened_view(run: Running) -> dict[str, Any]:
    view = run.fake.of("views.open")[-1].args["view"]
    return json.loads(view) if isinstance(view, str) else view


def meta(channel: str = CHANNEL) -> str:
    return json.dumps({"channel": channel})


def test_form_errors_are_shown_inline_and_nothing_is_saved(slack: Running) -> None:
    values = new_meeting_values("  ")
    values["case"] = {"value": {"type": "plain_text_input", "value": "Jane Smith"}}
    response = slack.interact(view_submission(NEW_MEETING, values, PRIYA, meta()))
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"title", "case"}
    assert count(slack, Meeting) == 0


def test_a_refusal_from_the_core_becomes_an_inline_error(slack: Running) -> None:
    values = new_meeting_values("Strategy discussion", day="2027-01-20")  # before the clock
    response = slack.interact(view_submission(NEW_MEETING, values, PRIYA, meta()))
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["date"]
    assert "already passed" in answer["errors"]["date"]
    assert count(slack, Meeting) == 0


def test_a_title_cannot_ping_the_channel(slack: Running) -> None:
    slack.slash("new &lt;!channel&gt; urgent &amp; more on 4/2/2027 at 10:00", PRIYA)
    card = posts_to(slack, CHANNEL)[0]
    assert "<!channel>" not in card["text"]
    assert "&lt;!channel&gt; urgent &amp;amp; more" not in card["text"]
    assert "&lt;!channel&gt; urgent &amp; more" in card["text"]
    blocks = json.dumps(card["blocks"])
    assert "<!channel>" not in blocks
    slack.fake.clear()
    slack.slash("new <!channel> now on 4/2/2027 at 11:00", PRIYA)  # as Slack escapes @channel
    card = posts_to(slack, CHANNEL)[0]
    assert "M2 &lt;!channel&gt; now" in card["text"]
    assert "<!channel>" not in json.dumps(card)
    with slack.store.transaction(slack.clock()) as session:
        titles = session.scalars(select(Meeting.title).order_by(Meeting.number)).all()
        assert titles == ["<!channel> urgent & more", "<!channel> now"]


def test_rate_limited_calls_are_retried_after_the_pause_slack_asks_for(slack: Running) -> None:
    slack.fake.fail_next("chat.postMessage", 429, headers={"Retry-After": "1"})
    slack.slash("new Review on 4/2/2027 at 10:00", PRIYA)
    attempts = [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert len(attempts) == 2
    assert "M1 Review" in attempts[1].args["text"]


def start_meeting(run: Running) -> str:
    run.slash("new Review on 4/2/2027 at 10:00 with <@UTOM|tom>", PRIYA)
    run.clock.now = BOOKED
    run.slash("start M1", PRIYA)
    with run.store.transaction(run.clock()) as session:
        thread = session.scalars(select(Meeting.thread_id)).one()
    assert thread is not None
    return thread


def test_record_as_decision_shortcut(slack: Running) -> None:
    start_meeting(slack)
    shortcut = message_shortcut(
        SHORTCUT_DECISION, PRIYA, text="Refer to the &lt;housing&gt; panel", ts="1800000200.1"
    )
    assert slack.interact(shortcut).status_code == 200
    view = opened_view(slack)
    assert view["callback_id"] == SHORTCUT_VIEW
    assert view["blocks"][1]["element"]["initial_value"] == "Refer to the <housing> panel"
    values = {
        "meeting": {"value": {"type": "plain_text_input", "value": ""}},
        "text": {"value": {"type": "plain_text_input", "value": "Refer to the <housing> panel"}},
    }
    submitted = view_submission(SHORTCUT_VIEW, values, PRIYA, view["private_metadata"])
    response = slack.interact(submitted)
    assert response.status_code == 200
    assert response.text == ""
    with slack.store.transaction(slack.clock()) as session:
        decision = session.scalars(select(Decision)).one()
        assert (decision.text, decision.source_message_id) == (
            "Refer to the <housing> panel",
            "1800000200.1",
        )


def test_a_message_is_recorded_once_however_often_the_shortcut_is_used(slack: Running) -> None:
    start_meeting(slack)
    private = json.dumps({"command": "decision", "channel": CHANNEL, "ts": "1800000250.1"})
    values = {
        "meeting": {"value": {"type": "plain_text_input", "value": ""}},
        "text": {"value": {"type": "plain_text_input", "value": "Ask the GP for a review"}},
    }
    first = slack.interact(view_submission(SHORTCUT_VIEW, values, PRIYA, private))
    again = slack.interact(view_submission(SHORTCUT_VIEW, values, PRIYA, private))
    assert first.text == ""
    assert again.json()["errors"] == {"text": "This message has already been recorded."}
    assert count(slack, Decision) == 1


def test_a_shortcut_form_from_someone_who_may_not_record_is_refused_inline(
    slack: Running,
) -> None:
    start_meeting(slack)
    values = {
        "meeting": {"value": {"type": "plain_text_input", "value": "M1"}},
        "text": {"value": {"type": "plain_text_input", "value": "Close the case"}},
    }
    private = json.dumps({"command": "decision", "channel": CHANNEL, "ts": "1800000300.1"})
    response = slack.interact(view_submission(SHORTCUT_VIEW, values, TOM, private))
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert "Only the chair" in answer["errors"]["text"]
    assert count(slack, Decision) == 0


def test_a_button_that_needs_words_asks_for_them(slack: Running) -> None:
    thread = start_meeting(slack)
    slack.event(
        message_event(
            "action: <@UTOM> book the home visit by 10/2/2027",
            PRIYA,
            ts="1800000400.1",
            thread_ts=thread,
        )
    )
    slack.interact(
        block_action(
            "progress A1", TOM, channel="D" + TOM, response_url=slack.fake.response_url("p")
        )
    )
    view = opened_view(slack)
    assert view["callback_id"] == COMPLETE
    values = {"text": {"value": {"type": "plain_text_input", "value": "Visit booked for Monday"}}}
    response = slack.interact(view_submission(COMPLETE, values, TOM, view["private_metadata"]))
    assert response.status_code == 200
    assert response.text == ""
    with slack.store.transaction(slack.clock()) as session:
        notes = session.scalars(select(ActionUpdate.note).where(ActionUpdate.kind == "progress"))
        assert list(notes) == ["Visit booked for Monday"]


def test_a_capture_outside_the_meeting_thread_is_ignored(slack: Running) -> None:
    start_meeting(slack)
    slack.fake.clear()
    other = message_event("decision: not here", PRIYA, ts="1800000500.2", thread_ts="1700.1")
    slack.event(other)
    assert count(slack, Decision) == 0
    assert slack.fake.of("reactions.add") == []


def test_a_button_on_app_home_runs_as_its_presser_and_refreshes_home(slack: Running) -> None:
    slack.slash("new Review on 4/2/2027 at 10:00 with <@UTOM|tom>", PRIYA)
    slack.fake.clear()
    pressed = slack.interact(
        block_action("attend M1", TOM, response_url="", channel=None, home=True)
    )
    assert pressed.status_code == 200
    with slack.store.transaction(slack.clock()) as session:
        rsvps = session.scalars(select(Invitation.rsvp).order_by(Invitation.id)).all()
    assert rsvps == ["attending", "attending"]
    assert [c.args["user_id"] for c in slack.fake.of("views.publish")] == [TOM]
    assert [c.args["channel"] for c in slack.fake.of("chat.postEphemeral")] == [f"D{TOM}"]
