"""Slack with the database down: the person is told in words, nothing is half-sent."""

from __future__ import annotations

from tests.closed_port import down_store
from tests.slack.conftest import PRIYA, running
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import block_action, message_event

WORDS = "I can't reach the records just now; nothing was saved. Please try again in a few minutes."


def test_commands_buttons_and_captures_are_answered_in_words(fake: FakeSlack) -> None:
    with running(down_store(), fake) as slack:
        answer = slack.slash("new Review on 4/2/2027 at 10:00", PRIYA)
        assert answer.status_code == 200
        [reply] = fake.of("response_url")
        assert reply.args["text"] == WORDS
        assert reply.args["response_type"] == "ephemeral"

        pressed = slack.interact(
            block_action("attend M1", PRIYA, response_url=fake.response_url("b"))
        )
        assert pressed.status_code == 200
        assert [c.args["text"] for c in fake.of("response_url")][-1] == WORDS

        line = message_event("decision: discharge on Friday", PRIYA, ts="2.0", thread_ts="1.0")
        assert slack.event(line).status_code == 200
        [ephemeral] = fake.of("chat.postEphemeral")
        assert ephemeral.args["text"] == WORDS
        assert ephemeral.args["user"] == PRIYA
    assert "chat.postMessage" not in fake.methods(), "nothing posted for all to see"
