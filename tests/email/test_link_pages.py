"""The link pages in a real browser (Playwright driving the system's Chromium): an email-only
attendee sends apologies with a deputy, accepts, reports progress, asks for more time and marks
an action done; expired, reused and forged links; a mail scanner's GETs change nothing."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from bot.config import Settings
from bot.console import parse_moment
from bot.email.console import console_mail
from bot.server import create_app
from bot.web.links import link_routes
from storage.db import Store
from storage.models import (
    Action,
    ActionUpdate,
    AuditEntry,
    Invitation,
    LinkToken,
    OutboxMessage,
    Person,
)
from tests.conftest import Console
from tests.email_support import free_port

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = bool(os.environ.get("MDT_REQUIRE_POSTGRES"))
SAM = "sam.patel@police.example"
JO = "jo.hughes@advocacy.example"
NOW = parse_moment("2027-02-01T09:00:00+00:00")
playwright_api = pytest.importorskip("playwright.sync_api")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Site:
    """The server on loopback, the console that seeds it, and the emails it prints."""

    def __init__(self, store: Store, base: str, clock: Clock, folder: Path) -> None:
        assert NOW is not None
        self.store, self.base, self.clock = store, base, clock
        self.console = Console(store, NOW, "priya", "team", folder)
        self.printed: list[str] = []
        self.console.session.mail = console_mail(
            store, Settings(public_url=base), self.printed.append
        )

    def run(self, *lines: str) -> str:
        self.console.session.now = self.clock.now
        return self.console(*lines)

    def deliver(self) -> None:
        """Deliver the email the pages queued, as the worker would."""
        assert self.console.session.mail is not None
        self.console.session.mail(self.clock.now)

    def links(self, address: str) -> dict[str, str]:
        """The links of the newest email to an address, by what they do."""
        mails = [p for p in self.printed if p.startswith(f"[email {address}]")]
        assert mails, f"no email to {address}"
        found = re.findall(rf"{re.escape(self.base)}/a/[A-Za-z0-9_-]+\?do=(\w+)", mails[-1])
        urls = re.findall(rf"{re.escape(self.base)}/a/[A-Za-z0-9_-]+\?do=\w+", mails[-1])
        return dict(zip(found, urls, strict=True))

    def person(self, address: str) -> int:
        with self.store.transaction(self.clock.now) as session:
            found = session.scalar(select(Person.id).where(Person.email == address))
            assert found is not None
            return found

    def counts(self) -> tuple[int, ...]:
        """Rows that any change would add to: audit, outbox, updates, links."""
        with self.store.transaction(self.clock.now) as session:
            return tuple(
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (AuditEntry, OutboxMessage, ActionUpdate, LinkToken)
            )


@pytest.fixture(scope="module")
def site(migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    assert NOW is not None
    folder = tmp_path_factory.mktemp("links")
    shutil.copyfile(migrated_sqlite, folder / "mdt.db")
    store = Store.open(f"sqlite:///{folder / 'mdt.db'}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    clock = Clock(NOW)
    seeded = Site(store, base, clock, folder / "files")
    app = create_app(Settings(), store, extra_routes=link_routes(store, seeded.console.core, clock))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    seeded.run(
        "/mdt iam Brighton Adult Social Care as social worker",
        "/mdt new Discharge planning today at 10:00 type discharge case BH-5521 with @tom",
        f'/mdt invite M1 {SAM} name "DS Sam Patel" from Sussex Police as detective sergeant',
    )
    yield seeded
    server.should_exit = True
    thread.join(10)
    store.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs it")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def _audited_as(site: Site, person_id: int, entity: str) -> list[dict[str, Any]]:
    with site.store.transaction(site.clock.now) as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.actor_id == person_id)
        ).all()
        return [r.after or {} for r in rows]


def test_a_scanner_opening_every_link_changes_nothing(site: Site) -> None:
    links = site.links(SAM)
    before = site.counts()
    with httpx.Client(follow_redirects=True) as scanner:
        for url in links.values():
            response = scanner.get(url)
            assert response.status_code == 200
            assert "<script" not in response.text.lower()
            assert response.headers["cache-control"] == "no-store"
            scanner.head(url)
    assert site.counts() == before


def test_apologies_with_a_deputy_in_the_browser(site: Site, page: Any) -> None:
    sam = site.person(SAM)
    page.goto(site.links(SAM)["apologies"])
    assert page.locator(".marking").first.inner_text() == "OFFICIAL-SENSITIVE"
    assert page.get_by_role("heading", level=1).inner_text().startswith("M1 Discharge planning")
    form = page.locator("form.chosen")
    form.get_by_label("Reason").fill("in court that morning")
    form.get_by_label("Deputy's email address").fill(JO)
    form.get_by_role("button", name="Send apologies").click()
    assert "your apologies for M1 are recorded" in page.get_by_role("status").inner_text()
    with site.store.transaction(site.clock.now) as session:
        mine = session.scalar(select(Invitation).where(Invitation.person_id == sam))
        assert mine is not None
        assert (mine.rsvp, mine.apology_reason) == ("apologies", "in court that morning")
        jo = session.scalar(select(Person).where(Person.email == JO))
        assert jo is not None
        assert jo.email_only
        deputy = session.scalar(select(Invitation).where(Invitation.person_id == jo.id))
        assert deputy is not None
        assert deputy.deputy_for_id == sam
    assert any(row.get("rsvp") == "apologies" for row in _audited_as(site, sam, "invitation"))
    site.deliver()
    assert site.links(JO).keys() == {"attend", "apologies"}  # the deputy is asked by email


def test_own_an_action_accept_progress_more_time_done(site: Site, page: Any) -> None:
    site.run(
        "/mdt start M1",
        f"/mdt action M1 {SAM} send the custody record by 10/2/2027 measure record shared",
    )
    sam = site.person(SAM)
    links = site.links(SAM)
    assert links.keys() == {"accept", "done", "progress", "extend"}
    before = site.counts()
    with httpx.Client() as scanner:  # a mail scanner opens every link first
        assert {scanner.get(url).status_code for url in links.values()} == {200}
    assert site.counts() == before
    page.goto(links["accept"])
    page.locator("form.chosen button").focus()
    page.keyboard.press("Enter")  # the keyboard alone will do
    assert "you have accepted" in page.get_by_role("status").inner_text()
    page.get_by_label("Progress so far", exact=False).fill("requested from custody suite")
    page.get_by_role("button", name="Add progress").click()
    assert "progress note" in page.get_by_role("status").inner_text()
    page.get_by_label("New date due").fill("2027-02-17")
    page.get_by_label("Why more time is needed").fill("the custody suite is closed for audit")
    page.get_by_role("button", name="Ask for more time").click()
    assert "has gone to the chair, priya" in page.get_by_role("status").inner_text()
    page.get_by_label("What was done", exact=False).fill("record shared on the secure portal")
    page.get_by_role("button", name="Mark done").click()
    assert "is marked done" in page.get_by_role("status").inner_text()
    with site.store.transaction(site.clock.now) as session:
        action = session.scalar(select(Action).where(Action.owner_id == sam))
        assert action is not None
        assert (action.status, action.accepted) == ("done", True)
        updates = session.scalars(
            select(ActionUpdate).where(ActionUpdate.action_id == action.id)
        ).all()
        assert [(u.kind, u.author_id) for u in updates] == [
            ("accepted", sam),
            ("progress", sam),
            ("extension_asked", sam),
            ("done", sam),
        ]
        assert updates[2].new_due is not None
        assert updates[2].new_due.isoformat() == "2027-02-17"
    kinds = [row.get("kind") for row in _audited_as(site, sam, "action_update")]
    assert kinds == ["accepted", "progress", "extension_asked", "done"]
    before = site.counts()
    page.goto(links["done"])  # the link is used up
    assert (
        "already been used" in page.locator("main").inner_text()
        or "is done" in page.locator("main").inner_text()
    )
    assert page.locator("form").count() == 0
    assert site.counts() == before
    site.run("/mdt end M1")
    minutes = [p for p in site.printed if p.startswith(f"[email {SAM}] Minutes")]
    assert len(minutes) == 1
    assert "send the custody record" in minutes[0]


def test_forged_and_cross_site_posts_change_nothing(site: Site, page: Any) -> None:
    site.run(f"/mdt new Partnership review on 8/2/2027 at 14:00 type partnership with {SAM}")
    url = site.links(SAM)["attend"]
    before = site.counts()
    page.goto(site.base + "/a/" + "A" * 43)
    assert "not one we sent" in page.locator("main").inner_text()
    with httpx.Client() as client:
        forged = client.post(url.split("?")[0], data={"op": "attend", "csrf": "0" * 64})
        assert forged.status_code == 403
        token = re.search(r'name="csrf" value="(\w+)"', client.get(url).text)
        assert token is not None
        other_site = client.post(
            url.split("?")[0],
            data={"op": "attend", "csrf": token.group(1)},
            headers={"Origin": "https://evil.example"},
        )
        assert other_site.status_code == 400
    assert site.counts() == before


def test_an_expired_link_explains_and_sends_a_fresh_one(site: Site, page: Any) -> None:
    site.run(f"/mdt new Complex case on 9/2/2027 at 11:00 type partnership with {SAM}")
    url = site.links(SAM)["attend"]
    sam = site.person(SAM)
    assert NOW is not None
    site.clock.now = NOW + timedelta(days=15)
    try:
        page.goto(url)
        assert "has expired" in page.locator("main").inner_text()
        page.get_by_role("button", name="Send a new link").click()
        assert "A new link is on its way" in page.get_by_role("status").inner_text()
        site.deliver()
        fresh = site.links(SAM)["attend"]
        assert fresh != url
        page.goto(fresh)
        page.locator("form.chosen").get_by_role("button", name="Attend").click()
        assert "you are down as attending" in page.get_by_role("status").inner_text()
    finally:
        site.clock.now = NOW
    assert any(row.get("rsvp") == "attending" for row in _audited_as(site, sam, "invitation"))


def test_rate_limits_per_token_and_per_address(site: Site) -> None:
    import asyncio  # noqa: PLC0415

    from bot.web.limits import RateLimit  # noqa: PLC0415
    from bot.web.links import Limits  # noqa: PLC0415

    limits = Limits(per_token=RateLimit(2, 600), per_address=RateLimit(3, 600))
    app = create_app(
        Settings(),
        site.store,
        extra_routes=link_routes(site.store, site.console.core, site.clock, limits=limits),
    )
    url = site.links(SAM)["attend"].removeprefix(site.base)

    async def visits() -> list[tuple[int, str]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mdt.test") as client:
            paths = [url, url, url, "/a/" + "B" * 43, "/a/" + "C" * 43]
            return [((r := await client.get(p)).status_code, r.text) for p in paths]

    found: list[list[tuple[int, str]]] = []  # in a thread: Playwright holds this one's loop
    worker = threading.Thread(target=lambda: found.append(asyncio.run(visits())))
    worker.start()
    worker.join(60)
    seen = found[0]
    assert [status for status, _ in seen] == [200, 200, 429, 404, 429]
    assert "Too many requests" in seen[2][1]
