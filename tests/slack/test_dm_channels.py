"""One API call per DM once the DM channel is known: conversations.open once per person."""

from __future__ import annotations

import pytest

from bot.faults import UnreachableError
from bot.slack.notifier import slack_notifier
from commands.messages import Message, Recipient
from tests.slack.conftest import PRIYA, TOM, Running, slack_settings
from tests.slack.fake_slack import FakeSlack


def dm(user: str) -> Message:
    return Message(
        audience="dm",
        template="slack:already_recorded",
        context={},
        zone="Europe/London",
        recipient=Recipient(user, ""),
    )


def test_two_invitations_to_the_same_person_open_their_dm_once(slack: Running) -> None:
    slack.slash(f"new Discharge planning on 4 Feb at 10:00 with <@{TOM}>", PRIYA)
    slack.slash(f"new Case review on 5 Feb at 11:00 with <@{TOM}>", PRIYA)
    opened = [c.args["users"] for c in slack.fake.of("conversations.open")]
    assert opened.count(TOM) == 1
    to_tom = [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == f"D{TOM}"]
    assert len(to_tom) == 2


def test_the_worker_opens_a_dm_once_and_again_when_slack_forgot_it(fake: FakeSlack) -> None:
    notifier = slack_notifier(slack_settings(fake))
    assert notifier.send(dm(TOM)).startswith(f"D{TOM}:")
    assert notifier.send(dm(TOM)).startswith(f"D{TOM}:")
    notifier.send(dm(PRIYA))
    assert [c.args["users"] for c in fake.of("conversations.open")] == [TOM, PRIYA]
    assert len(fake.of("chat.postMessage")) == 3

    fake.fail_next("chat.postMessage", 200, body={"ok": False, "error": "channel_not_found"})
    with pytest.raises(UnreachableError):
        notifier.send(dm(TOM))
    assert notifier.send(dm(TOM)).startswith(f"D{TOM}:")
    assert [c.args["users"] for c in fake.of("conversations.open")] == [TOM, PRIYA, TOM]
