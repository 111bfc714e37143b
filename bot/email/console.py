"""Email on the console: each queued email printed as an `[email name@example]` block.

The emails go through the outbox like anywhere else; the console delivers them straight
after each line, printing them, and also sends them when SMTP_URL is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.config import Settings
from bot.email.notifier import EmailNotifier, composer_for, sender_for
from bot.worker import Outcome, Worker, WorkerOptions
from commands.reminders.sweep import SweepReport
from storage.db import Store

Deliver = Callable[[datetime], None]


def console_mail(store: Store, settings: Settings, write: Callable[[str], object]) -> Deliver:
    """Deliver the email outbox as at a moment, printing each email with `write`."""
    moment: list[datetime] = []

    def clock() -> datetime:
        return moment[-1]

    notifier = EmailNotifier(
        store,
        composer_for(settings),
        settings.public_url,
        sender=sender_for(settings),
        printer=lambda text: write(text + "\n"),
        clock=clock,
    )
    worker = Worker(
        store,
        {"email": notifier},
        name="console-mail",
        options=WorkerOptions(max_attempts=1),
        sleep=lambda _seconds: None,
    )

    def deliver(now: datetime) -> None:
        moment.append(now)
        del moment[:-1]
        worker.deliver(now, Outcome(SweepReport()))

    return deliver
