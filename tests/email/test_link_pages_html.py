"""The link pages pass the Nu HTML checker: the action page, the invitation page, the page of a
used link, of an expired one and of a forged one; every form control has its label."""

from __future__ import annotations

import asyncio
import re
import shutil
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx

from bot.config import Settings
from bot.server import create_app
from bot.web.links import link_routes
from storage.db import Store
from tests.email.test_link_pages import NOW, SAM, Clock, Site
from tests.record.test_print import validate

BASE = "http://testserver"


class Controls(HTMLParser):
    """The ids of the form controls a person fills in, and the ids the labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in {"input", "textarea", "select"} and found.get("type") != "hidden":
            self.controls.append(found.get("id") or f"<{tag} {found.get('name')} without id>")
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))


def test_link_pages_are_valid_html_with_a_label_on_every_control(
    migrated_sqlite: Path, tmp_path: Path
) -> None:
    assert NOW is not None
    shutil.copyfile(migrated_sqlite, tmp_path / "mdt.db")
    store = Store.open(f"sqlite:///{tmp_path / 'mdt.db'}")
    clock = Clock(NOW)
    site = Site(store, BASE, clock, tmp_path / "files")
    app = create_app(Settings(), store, extra_routes=link_routes(store, site.console.core, clock))
    site.run(
        "/mdt new Discharge planning today at 10:00 type discharge case BH-5521 with @tom",
        f'/mdt invite M1 {SAM} name "DS Sam Patel" from Sussex Police as detective sergeant',
    )
    invitation = site.links(SAM)["apologies"]
    site.run("/mdt start M1", f"/mdt action M1 {SAM} send the custody record by 10/2/2027")
    action = site.links(SAM)["done"]
    pages: dict[str, str] = {}

    async def visit() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            pages["invitation"] = (await client.get(invitation)).text
            pages["action"] = (await client.get(action)).text
            csrf = re.search(r'name="csrf" value="([^"]+)"', pages["action"])
            assert csrf is not None
            form = {"op": "done", "csrf": csrf.group(1), "note": "record shared"}
            pages["done"] = (await client.post(action, data=form)).text
            assert "is marked done" in pages["done"]
            pages["used"] = (await client.get(action)).text
            assert "<textarea" not in pages["used"]
            pages["forged"] = (await client.get(f"/a/{'x' * 43}")).text
            clock.now = NOW + timedelta(days=15)
            pages["expired"] = (await client.get(invitation)).text
            assert "has expired" in pages["expired"]

    asyncio.run(visit())
    store.engine.dispose()
    files = []
    for name, text in pages.items():
        controls = Controls()
        controls.feed(text)
        assert set(controls.controls) <= controls.labelled, name
        (tmp_path / f"{name}.html").write_text(text, encoding="utf-8")
        files.append(tmp_path / f"{name}.html")
    # The checker's one note is advice, not an error: a browser without a date picker shows a
    # text box, and the page reads a typed date (17/2/2027) as the chat does, with no script.
    advice = "info: The “date” input type is not supported in all browsers."
    assert [p for p in validate(*files) if advice not in p] == []
