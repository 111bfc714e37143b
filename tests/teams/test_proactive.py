"""Reminders reach Teams users proactively through the worker; a blocked user is handled once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import delete, select

from bot.config import Settings
from bot.notify import RateLimitedError, ServerError, UnreachableError, notifiers_for
from bot.teams.notifier import TeamsNotifier, teams_notifier
from bot.worker import Worker
from commands.messages import Message, Recipient
from storage.conversations import ConversationRef
from storage.models import OutboxMessage, Person
from tests.teams.conftest import BOOKED, Teams, mention, settings
from tests.teams.fake_teams import PRIYA, TOM, User


def _notifier(teams: Teams) -> TeamsNotifier:
    return teams_notifier(settings(), store=teams.store, client=httpx.Client(), clock=teams.clock)


def _meeting_with_an_action_for_tom(teams: Teams) -> None:
    at_tom, tom_entity = mention(TOM)
    teams.command(
        PRIYA, f"new Discharge planning on 4/2/2027 at 10:00 with {at_tom}", entities=[tom_entity]
    )
    teams.clock.now = BOOKED
    teams.command(PRIYA, "start M1")
    teams.command(
        PRIYA,
        f"action M1 {at_tom} confirm the grab rails are fitted by 10/2/2027 "
        "measure photo of fitted rails shared",
        entities=[tom_entity],
    )
    teams.command(TOM, "accept A1")  # an owner who accepted: no notice to the chair
    teams.fake.take()


def _personal(user: User) -> str:
    return f"a:personal-{user.teams_id}"


def test_reminders_reach_the_owner_and_a_block_tells_the_chair_once(teams: Teams) -> None:
    _meeting_with_an_action_for_tom(teams)
    worker = Worker(teams.store, {"teams": _notifier(teams)}, sleep=lambda _s: None)

    outcome = worker.run_once(datetime(2027, 2, 8, 10, 0, tzinfo=UTC))
    assert outcome.failed == 0
    reminders = teams.fake.take()
    assert [s.conversation for s in reminders] == [_personal(TOM)]
    assert "A1" in reminders[0].text()

    teams.fake.blocked.add(TOM.teams_id)
    outcome = worker.run_once(datetime(2027, 2, 10, 10, 0, tzinfo=UTC))
    assert outcome.failed == 1
    notices = teams.fake.take()
    assert [s.conversation for s in notices] == [_personal(PRIYA)]
    assert "can no longer be reached" in notices[0].text()
    assert "A1" in notices[0].text()
    with teams.store.transaction(teams.clock()) as session:
        tom = session.scalars(select(Person).where(Person.external_id == TOM.aad)).one()
        assert tom.unreachable is True

    outcome = worker.run_once(datetime(2027, 2, 12, 10, 0, tzinfo=UTC))
    assert outcome.failed == 1, "the overdue chaser is refused too"
    assert teams.fake.take() == [], "the chair is told once"

    # Tom unblocks the bot and writes to it: he is reachable again.
    teams.fake.blocked.clear()
    teams.say(TOM, "help", conversation=_personal(TOM), conversation_type="personal")
    with teams.store.transaction(teams.clock()) as session:
        tom = session.scalars(select(Person).where(Person.external_id == TOM.aad)).one()
        assert tom.unreachable is False


def test_a_one_to_one_chat_is_opened_when_the_bot_has_none(teams: Teams) -> None:
    _meeting_with_an_action_for_tom(teams)
    with teams.store.transaction(teams.clock()) as session:
        session.execute(
            delete(ConversationRef).where(ConversationRef.conversation_type == "personal")
        )
    before = len(teams.fake.conversations_created)
    message = Message(
        audience="dm",
        template="teams:welcome",
        context={},
        zone="Europe/London",
        recipient=Recipient(TOM.aad, TOM.name),
    )
    activity_id = _notifier(teams).send(message)
    assert activity_id == teams.fake.sent[-1].id
    created = teams.fake.conversations_created[before:]
    assert [c["members"] for c in created] == [[{"id": TOM.teams_id}]]
    assert created[0]["tenantId"]
    assert created[0]["bot"]["id"].startswith("28:")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        pytest.param(429, RateLimitedError, id="429"),
        pytest.param(502, ServerError, id="502"),
        pytest.param(412, ServerError, id="412"),
    ],
)
def test_notifier_faults_are_typed_for_the_worker(
    teams: Teams, status: int, error: type[Exception]
) -> None:
    _meeting_with_an_action_for_tom(teams)
    teams.fake.failures.append(status)
    message = Message(
        audience="dm",
        template="teams:welcome",
        context={},
        zone="Europe/London",
        recipient=Recipient(TOM.aad, TOM.name),
    )
    with pytest.raises(error):
        _notifier(teams).send(message)


def test_a_blocked_user_is_unreachable_to_the_worker(teams: Teams) -> None:
    _meeting_with_an_action_for_tom(teams)
    teams.fake.blocked.add(TOM.teams_id)
    message = Message(
        audience="dm",
        template="teams:welcome",
        context={},
        zone="Europe/London",
        recipient=Recipient(TOM.aad, TOM.name),
    )
    with pytest.raises(UnreachableError):
        _notifier(teams).send(message)
    with teams.store.transaction(teams.clock()) as session:
        assert session.scalar(select(OutboxMessage.id)) is None


def test_a_live_message_to_a_blocked_user_marks_them_and_tells_the_chair_once(
    teams: Teams,
) -> None:
    at_tom, tom_entity = mention(TOM)
    teams.command(PRIYA, "new Discharge planning on 4/2/2027 at 10:00", entities=[])
    teams.fake.blocked.add(TOM.teams_id)
    teams.command(PRIYA, f"invite M1 {at_tom}", entities=[tom_entity])
    teams.command(PRIYA, "new Follow-up on 5/2/2027 at 10:00")
    teams.command(PRIYA, f"invite M2 {at_tom}", entities=[tom_entity])
    to_priya = [s.text() for s in teams.fake.to(_personal(PRIYA))]
    notices = [t for t in to_priya if "blocked or removed the MDT assistant" in t]
    assert len(notices) == 1
    assert "Tom Reed" in notices[0]
    assert "M1" in notices[0]
    with teams.store.transaction(teams.clock()) as session:
        tom = session.scalars(select(Person).where(Person.external_id == TOM.aad)).one()
        assert tom.unreachable is True


def test_the_worker_builds_a_teams_notifier_only_when_teams_is_configured(teams: Teams) -> None:
    url = teams.store.engine.url.render_as_string(hide_password=False)
    configured = notifiers_for(replace(settings(), database_url=url))
    assert isinstance(configured["teams"], TeamsNotifier)
    assert "teams" not in notifiers_for(Settings.from_env({"DATABASE_URL": url}))


def test_an_announcement_teams_failed_to_take_goes_through_the_outbox(teams: Teams) -> None:
    teams.fake.failures.extend([503] * 4)  # the connector's retries spent on the announcement
    at_tom, tom_entity = mention(TOM)
    teams.command(
        PRIYA, f"new Case review on 4/2/2027 at 10:00 with {at_tom}", entities=[tom_entity]
    )
    assert "M1 Case review" not in " ".join(s.text() for s in teams.fake.take())
    with teams.store.transaction(teams.clock()) as session:
        queued = session.scalars(select(OutboxMessage)).all()
        assert {(q.platform, q.status) for q in queued} == {("teams", "pending")}
        assert "meeting:created" in {q.payload["template"] for q in queued}
    worker = Worker(teams.store, {"teams": _notifier(teams)}, sleep=lambda _s: None)
    outcome = worker.run_once(teams.clock())
    assert "meeting:created" in [m.template for m in outcome.delivered]
    assert outcome.failed == 0
    assert "M1 Case review" in " ".join(s.text() for s in teams.fake.take())
