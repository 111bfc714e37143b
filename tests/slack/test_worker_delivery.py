"""The worker's Slack deliveries against the fake Slack API: timeouts, outages, nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.slack import notifier as slack_notifier_module
from bot.slack.notifier import slack_notifier
from bot.worker import Worker, WorkerOptions
from commands.messages import Message
from storage.db import Store
from tests.reminder_seed import seed_due_reminders
from tests.reminders.test_worker import DUE_AT, NOW, Sleeps, outbox
from tests.slack.conftest import PRIYA, TOM, Running, slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import CHANNEL


@pytest.fixture
def quick_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls count as unanswered after half a second (not ten), to keep the test short."""
    monkeypatch.setattr(slack_notifier_module, "SEND_TIMEOUT", 0.5)


@pytest.mark.usefixtures("quick_timeout")
def test_a_reply_after_the_timeout_is_looked_for_not_sent_again(
    store: Store, fake: FakeSlack
) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    fake.delay_next("chat.postMessage", 1.5)  # Slack posts it, but answers too late
    notifier = slack_notifier(slack_settings(fake))
    worker = Worker(store, {"console": notifier}, sleep=Sleeps())
    outcome = worker.run_once(NOW)
    assert len(outcome.delivered) == 1
    assert len(fake.of("chat.postMessage")) == 1  # found by its key, not posted again
    assert len(fake.of("conversations.history")) == 1
    [row] = outbox(store)
    assert row.status == "sent"
    assert row.platform_message_id == f"Duser0:{fake.posted['Duser0'][0]['ts']}"


# Four messages, two tries a sweep, sweeps at 0, 1, 3 and 5 minutes (the backoff): 32 calls.
OUTAGE_CALLS = 32


def test_a_five_minute_slack_outage_loses_nothing(store: Store, fake: FakeSlack) -> None:
    expected = seed_due_reminders(store, 4, DUE_AT)
    for _ in range(OUTAGE_CALLS):  # every post of the sweeps of the next five minutes: 503
        fake.fail_next("chat.postMessage", 503, body={"ok": False, "error": "service_unavailable"})
    notifier = slack_notifier(slack_settings(fake))
    options = WorkerOptions(max_attempts=2, backoff=0.0)
    worker = Worker(store, {"console": notifier}, sleep=Sleeps(), options=options)
    failed = 0
    for minute in range(12):
        failed += worker.run_once(NOW + timedelta(minutes=minute)).failed
    assert failed == 0
    assert [r.status for r in outbox(store)] == ["sent"] * len(expected)
    delivered = [
        c for c in fake.of("chat.postMessage") if c.args.get("channel", "").startswith("D")
    ]
    assert len(delivered) - OUTAGE_CALLS == len(expected)  # each once, after the outage


def test_an_announcement_slack_failed_to_take_goes_through_the_outbox(slack: Running) -> None:
    for _ in range(3):  # the first try and the client's two retries: 500
        slack.fake.fail_next("chat.postMessage", 500, body={"ok": False, "error": "internal_error"})
    slack.slash(f"new Discharge planning on 4 Feb at 10:00 with <@{TOM}>", PRIYA)
    assert [c.args["channel"] for c in slack.fake.of("chat.postMessage")][:3] == [CHANNEL] * 3
    [queued] = outbox(slack.store)
    assert (queued.status, queued.platform) == ("pending", "slack")
    slack.fake.clear()
    notifier = slack_notifier(slack_settings(slack.fake))
    outcome = Worker(slack.store, {"slack": notifier}, sleep=Sleeps()).run_once(slack.clock())
    assert [m.template for m in outcome.delivered] == ["meeting:created"]
    [card] = slack.fake.of("chat.postMessage")
    assert card.args["channel"] == CHANNEL
    assert "M1 Discharge planning" in card.args["text"]
    assert len(slack.fake.of("files.completeUploadExternal")) == 1  # the invite went with it
    assert [r.status for r in outbox(slack.store)] == ["sent"]


class Killed(BaseException):
    """The worker process dying (kill -9) right after Slack took a message."""


def test_a_message_in_flight_when_its_worker_died_is_not_posted_again(
    store: Store, fake: FakeSlack
) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    notifier = slack_notifier(slack_settings(fake))

    class DiesAfterSending:
        def send(self, message: Message) -> str:
            notifier.send(message)
            raise Killed

    with pytest.raises(Killed):
        Worker(store, {"console": DiesAfterSending()}, name="dead").run_once(NOW)
    assert len(fake.of("chat.postMessage")) == 1
    survivor = Worker(store, {"console": notifier}, name="survivor", sleep=Sleeps())
    outcome = survivor.run_once(NOW + timedelta(minutes=6))  # after the dead worker's lease
    assert len(outcome.delivered) == 1
    assert len(fake.of("chat.postMessage")) == 1  # found by its key, not posted twice
    [row] = outbox(store)
    assert (row.status, row.last_error) == ("sent", None)
