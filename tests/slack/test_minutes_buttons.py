"""The chair answers a correction and approves the minutes with buttons on Slack; only the
chair may press them, and a second press says it already happened."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.slack.modals import COMPLETE
from storage.models import Correction, Meeting
from tests.slack.conftest import PRIYA, TOM, Running
from tests.slack.payloads import CHANNEL, block_action, view_submission
from tests.slack.test_interactions import opened_view
from tests.slack.test_meeting_flow import buttons_of, posts_to


def _ended(slack: Running) -> None:
    slack.slash(f"new Case review on 1/2/2027 at 10:00 with <@{TOM}>", PRIYA)
    slack.clock.now = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    slack.slash("start M1", PRIYA)
    slack.slash("end M1", PRIYA)
    slack.slash("correct M1 the review is in six weeks, not four", TOM)
    slack.slash("correct M1 the GP was present", TOM)


def _press(slack: Running, value: str, user: str) -> str:
    slack.fake.clear()
    slack.interact(
        block_action(
            value,
            user,
            channel="D" + user,
            response_url=slack.fake.response_url(value.replace(" ", "-")),
        )
    )
    (reply,) = slack.fake.of("response_url")
    return str(reply.args["text"])


def _state(slack: Running) -> tuple[str | None, list[str]]:
    with slack.store.transaction(slack.clock()) as session:
        meeting = session.scalars(select(Meeting)).one()
        statuses = session.scalars(select(Correction.status).order_by(Correction.number))
        return meeting.minutes_status, list(statuses)


def test_accept_decline_and_approve_buttons_for_the_chair_only(slack: Running) -> None:
    _ended(slack)
    proposals = [p for p in posts_to(slack, "D" + PRIYA) if "proposes correction" in p["text"]]
    assert [buttons_of(p) for p in proposals] == [
        ["correct M1 accept 1", "correct M1 decline 1"],
        ["correct M1 accept 2", "correct M1 decline 2"],
    ]

    # Tom proposed it but does not chair: refused, nothing changes.
    assert "Only the chair of M1" in _press(slack, "correct M1 accept 1", TOM)
    assert _state(slack) == ("draft", ["proposed", "proposed"])

    # The chair accepts; a correction still waits, so no Approve button yet.
    slack.fake.clear()
    slack.interact(
        block_action(
            "correct M1 accept 1",
            PRIYA,
            channel="D" + PRIYA,
            response_url=slack.fake.response_url("a"),
        )
    )
    (accepted,) = slack.fake.of("response_url")
    assert "Correction 1 accepted" in accepted.args["text"]
    assert buttons_of(accepted.args) == []
    assert "already accepted" in _press(slack, "correct M1 accept 1", PRIYA)

    # Decline opens a box for the reason; the reply then offers Approve.
    slack.fake.clear()
    slack.interact(
        block_action(
            "correct M1 decline 2",
            PRIYA,
            channel="D" + PRIYA,
            response_url=slack.fake.response_url("d"),
        )
    )
    view = opened_view(slack)
    assert view["callback_id"] == COMPLETE
    assert "Why you decline it" in str(view)
    values = {"text": {"value": {"type": "plain_text_input", "value": "the GP sent apologies"}}}
    slack.interact(view_submission(COMPLETE, values, PRIYA, view["private_metadata"]))
    assert _state(slack) == ("draft", ["accepted", "declined"])
    declined = [
        c.args for c in slack.fake.of("chat.postEphemeral") + slack.fake.of("chat.postMessage")
    ]
    answer = [a for a in declined if "Correction 2 to the minutes of M1 declined" in a["text"]]
    assert [buttons_of(a) for a in answer] == [["approve M1"]]

    # Approve: Tom is refused; the chair's press approves and posts to the channel; again says so.
    assert "Only the chair of M1" in _press(slack, "approve M1", TOM)
    assert _state(slack)[0] == "draft"
    slack.fake.clear()
    slack.interact(
        block_action(
            "approve M1", PRIYA, channel="D" + PRIYA, response_url=slack.fake.response_url("p")
        )
    )
    assert any("are approved by" in p["text"] for p in posts_to(slack, CHANNEL))
    assert _state(slack)[0] == "approved"
    again = _press(slack, "approve M1", PRIYA)
    assert "already approved by @priya on Mon 1 Feb 2027 10:00, as version 3" in again
    assert "version 3" in again


def test_the_chair_reading_a_draft_gets_an_approve_button(slack: Running) -> None:
    _ended(slack)
    slack.slash("correct M1 accept 1", PRIYA)
    slack.slash("correct M1 decline 2 the GP sent apologies", PRIYA)
    slack.fake.clear()
    slack.slash("minutes M1", PRIYA)
    (reply,) = slack.fake.of("response_url")
    assert "DRAFT" in reply.args["text"]
    assert buttons_of(reply.args) == ["approve M1"]
    slack.fake.clear()
    slack.slash("minutes M1", TOM)
    (reply,) = slack.fake.of("response_url")
    assert buttons_of(reply.args) == []
