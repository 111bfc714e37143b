"""Multi-workspace OAuth: installs stored through our own tables; workspaces never mix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.notify import UnreachableError
from bot.slack.notifier import slack_notifier
from commands.messages import Message, Recipient
from commands.outbox.queue import enqueue, queued_message
from storage.db import Store
from storage.models import Meeting, Workspace, slack_bots, slack_installations
from tests.slack.conftest import PRIYA, TOM, Running, running, slack_settings
from tests.slack.fake_slack import FakeSlack


@pytest.fixture
def multi(store: Store, fake: FakeSlack) -> Iterator[Running]:
    """The server in multi-workspace mode (client id and secret, no bot token)."""
    fake.installs.update({"code-T1": "T1", "code-T2": "T2"})
    with running(
        store,
        fake,
        slack_bot_token=None,
        slack_client_id="1111.2222",
        slack_client_secret="client-secret",
    ) as run:
        yield run


def install(run: Running, code: str) -> None:
    base = run.client.base_url
    page = run.client.http.get(f"{base}/slack/install")
    assert page.status_code == 200
    state = re.search(r"state=([\w-]+)", page.text)
    assert state is not None
    cookie = page.headers["set-cookie"].split(";")[0]
    done = run.client.http.get(
        f"{base}/slack/oauth_redirect",
        params={"code": code, "state": state.group(1)},
        headers={"Cookie": cookie},
    )
    assert done.status_code == 200, done.text


def test_two_workspaces_never_see_each_other(multi: Running) -> None:
    install(multi, "code-T1")
    install(multi, "code-T2")
    with multi.store.transaction(multi.clock()) as session:
        teams = sorted(session.execute(select(slack_installations.c.team_id)).scalars())
        bots = sorted(session.execute(select(slack_bots.c.bot_token)).scalars())
    assert teams == ["T1", "T2"]
    assert bots == ["xoxb-T1", "xoxb-T2"]

    multi.fake.clear()
    multi.slash("new Strategy discussion on 4/2/2027 at 10:00", PRIYA, team="T1")
    t1_posts = multi.fake.of("chat.postMessage")
    assert t1_posts
    assert {c.token for c in t1_posts} == {"xoxb-T1"}

    multi.fake.clear()
    multi.slash("show M1", TOM, team="T2", response_url=multi.fake.response_url("t2"))
    (reply,) = multi.fake.of("response_url")
    assert "M1" in reply.args["text"]
    assert "Strategy discussion" not in reply.args["text"]

    multi.slash("new Housing panel on 5/2/2027 at 14:00", TOM, team="T2")
    assert {c.token for c in multi.fake.of("chat.postMessage")} == {"xoxb-T2"}
    with multi.store.transaction(multi.clock()) as session:
        rows = session.execute(
            select(Workspace.external_id, Meeting.number, Meeting.title)
            .join(Meeting, Meeting.workspace_id == Workspace.id)
            .order_by(Workspace.external_id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("T1", 1, "Strategy discussion"),
        ("T2", 1, "Housing panel"),
    ]


def test_a_workspace_that_never_installed_gets_nothing(multi: Running) -> None:
    install(multi, "code-T1")
    multi.fake.clear()
    response = multi.slash("new Review on 4/2/2027 at 10:00", PRIYA, team="T9")
    assert response.status_code in {200, 401}
    assert multi.fake.of("chat.postMessage") == []
    with multi.store.transaction(multi.clock()) as session:
        assert session.scalars(select(Meeting)).all() == []


def test_a_bad_install_code_stores_nothing(multi: Running) -> None:
    base = multi.client.base_url
    page = multi.client.http.get(f"{base}/slack/install")
    state = re.search(r"state=([\w-]+)", page.text)
    assert state is not None
    cookie = page.headers["set-cookie"].split(";")[0]
    failed = multi.client.http.get(
        f"{base}/slack/oauth_redirect",
        params={"code": "stolen", "state": state.group(1)},
        headers={"Cookie": cookie},
    )
    assert failed.status_code >= 400
    with multi.store.transaction(multi.clock()) as session:
        assert session.execute(select(slack_installations.c.id)).all() == []


def test_the_worker_sends_with_the_token_of_the_messages_own_workspace(multi: Running) -> None:
    install(multi, "code-T1")
    install(multi, "code-T2")
    url = multi.store.engine.url.render_as_string(hide_password=False)
    settings = slack_settings(
        multi.fake,
        slack_bot_token=None,
        slack_client_id="1111.2222",
        slack_client_secret="client-secret",
        database_url=url,
    )
    notifier = slack_notifier(settings)
    now = multi.clock()
    with multi.store.transaction(now) as session:
        workspace = Workspace(platform="slack", external_id="T2", created_at=now)
        session.add(workspace)
        session.flush()
        message = Message(
            audience="dm",
            template="slack:home_intro",
            context={},
            zone="Europe/London",
            recipient=Recipient(TOM, "tom"),
        )
        queued = queued_message(enqueue(session, workspace, message, key="k", now=now))
    assert queued.meta["workspace"] == "T2"

    multi.fake.clear()
    notifier.send(queued)
    assert {c.token for c in multi.fake.of("chat.postMessage")} == {"xoxb-T2"}
    with pytest.raises(UnreachableError):
        notifier.send(replace(queued, meta={"workspace": "T9"}))
    notifier.close()
