"""Email over a real SMTP conversation on loopback: parts, headers, the calendar invite, and the
outbox waiting while the relay is down."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.config import Settings
from bot.console import parse_moment
from bot.email.notifier import EmailNotifier, composer_for
from bot.email.smtp import SmtpSender, parse_smtp_url
from bot.worker import Outcome, Worker
from commands.core import CoreSettings
from commands.reminders.sweep import SweepReport
from storage.db import Store
from storage.models import OutboxMessage
from tests.conftest import Console
from tests.email_support import USER, Received, RelayServer

SAM = "sam.patel@police.example"
NOW = parse_moment("2027-02-01T09:00:00+00:00")
LINK = re.compile(r"http://mdt\.example/a/[A-Za-z0-9_-]{43}\?do=\w+")
SETTINGS = Settings(
    public_url="http://mdt.example",
    mail_from="mdt@council.example",
    invite_domain="council.example",
)


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayServer]:
    server = RelayServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_store(migrated_sqlite: Path, tmp_path: Path) -> Iterator[Store]:
    shutil.copyfile(migrated_sqlite, tmp_path / "mdt.db")
    opened = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}")
    yield opened
    opened.engine.dispose()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _worker(store: Store, relay: RelayServer, clock: Clock) -> Worker:
    sender = SmtpSender(parse_smtp_url(relay.url), context=relay.client_context, timeout=5)
    notifier = EmailNotifier(
        store, composer_for(SETTINGS), SETTINGS.public_url, sender=sender, clock=clock
    )
    return Worker(store, {"email": notifier}, name="mail-test", sleep=lambda _s: None)


def _deliver(worker: Worker, now: datetime) -> Outcome:
    outcome = Outcome(SweepReport())
    worker.deliver(now, outcome)
    return outcome


def _calendar(received: Received) -> Calendar:
    parts = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def test_invitation_action_and_cancellation_by_smtp(
    sqlite_store: Store, relay: RelayServer, tmp_path: Path
) -> None:
    assert NOW is not None
    console = Console(sqlite_store, NOW, "priya", "team", tmp_path / "files")
    console.core.settings = CoreSettings(invite_domain="council.example")
    clock = Clock(NOW)
    worker = _worker(sqlite_store, relay, clock)
    console(
        "/mdt iam Brighton Adult Social Care as social worker",
        "/mdt new Discharge planning on 4/2/2027 at 10:00 type discharge case BH-5521",
        f'/mdt invite M1 {SAM} name "DS Sam Patel" from Sussex Police as detective sergeant',
        "/mdt new Partnership review on 5/2/2027 at 14:00 type partnership",
        f"/mdt invite M2 {SAM}",
        "/mdt cancel M2 chair unwell",
        ":clock 2027-02-04T10:00",
        "/mdt start M1",
        f"/mdt action M1 {SAM} send the custody record by 10/2/2027 measure record shared",
    )
    outcome = _deliver(worker, console.session.now)
    assert (len(outcome.delivered), outcome.failed) == (4, 0)
    got = relay.relay.received
    assert [r.recipients for r in got] == [[SAM]] * 4
    assert all(r.tls and r.login == USER for r in got)  # STARTTLS, then the login from the URL
    invite, second, cancel, action = got
    mail = invite.message
    assert mail["Subject"] == "Invitation: M1 Discharge planning, Thu 4 Feb 2027 10:00"
    assert mail["From"] == "mdt@council.example"
    assert mail["To"] == SAM
    assert mail["Message-ID"].endswith("@council.example>")
    assert mail["Date"] is not None
    assert mail.get_content_type() == "multipart/mixed"
    kinds = [p.get_content_type() for p in mail.walk()]
    assert kinds[:5] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    event = _calendar(invite).walk("VEVENT")[0]
    assert _calendar(invite)["METHOD"] == "REQUEST"
    assert str(event["ORGANIZER"]) == "mailto:mdt@council.example"
    attendees = (
        [str(a) for a in event.get("ATTENDEE")]
        if isinstance(event.get("ATTENDEE"), list)
        else [str(event["ATTENDEE"])]
    )
    assert f"mailto:{SAM}" in attendees
    assert str(event["UID"]).endswith("@council.example")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "OFFICIAL-SENSITIVE" in text
    assert "OFFICIAL-SENSITIVE" in html
    assert [m.split("?do=")[1] for m in LINK.findall(text)] == ["attend", "apologies"]
    assert all(link.replace("&", "&amp;") in html for link in LINK.findall(text))
    assert "@" not in text.replace(SAM, "").replace("mdt@council.example", "")
    assert _calendar(cancel)["METHOD"] == "CANCEL"
    assert cancel.message["Subject"].startswith("Cancelled: M2")
    assert not LINK.findall(cancel.message.get_body(("plain",)).get_content())
    assert second.message["Subject"].startswith("Invitation: M2")
    action_text = action.message.get_body(("plain",)).get_content()
    assert action.message["Subject"] == "New action A1: due Wed 10 Feb 2027"
    assert "What: send the custody record" in action_text
    assert [m.split("?do=")[1] for m in LINK.findall(action_text)] == [
        "accept",
        "done",
        "progress",
        "extend",
    ]
    assert _deliver(worker, NOW + timedelta(minutes=5)).delivered == []  # each sent once


def test_relay_down_the_outbox_waits_then_sends_once(
    sqlite_store: Store, relay: RelayServer, tmp_path: Path
) -> None:
    assert NOW is not None
    console = Console(sqlite_store, NOW, "priya", "team", tmp_path / "files")
    clock = Clock(NOW)
    worker = _worker(sqlite_store, relay, clock)
    relay.stop()
    console(
        "/mdt new Discharge planning on 4/2/2027 at 10:00 type discharge case BH-5521",
        f"/mdt invite M1 {SAM} from Sussex Police",
    )
    down = _deliver(worker, NOW)
    assert (down.delivered, down.failed, down.deferred) == ([], 0, 1)
    with sqlite_store.transaction(NOW) as session:
        row = session.scalar(select(OutboxMessage))
        assert row is not None
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_at > NOW
        assert row.last_error is not None
        assert "s3cret" not in row.last_error
        retry_at = row.next_at
    assert _deliver(worker, NOW + timedelta(seconds=30)).deferred == 0  # not yet due
    relay.start()
    later = retry_at + timedelta(seconds=1)
    clock.now = later
    back = _deliver(worker, later)
    assert (len(back.delivered), back.failed) == (1, 0)
    assert len(relay.relay.received) == 1
    assert _deliver(worker, later + timedelta(hours=1)).delivered == []
    with sqlite_store.transaction(later) as session:
        row = session.scalar(select(OutboxMessage))
        assert row is not None
        assert (row.status, row.attempts) == ("sent", 2)
