"""A whole meeting run through Slack payloads over real HTTP, end to end."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.slack.manifest import BOT_EVENTS, BOT_SCOPES, manifest
from bot.slack.modals import NEW_MEETING
from storage.models import Action, Decision, Invitation, Meeting, Person
from tests.slack.conftest import BOOKED, NURSE, PRIYA, STRANGER, TOM, Running
from tests.slack.payloads import (
    CHANNEL,
    block_action,
    event_callback,
    message_event,
    view_submission,
)

# The Web API methods the app calls, and the bot scope each needs.
METHOD_SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.open": "im:write",
    "users.info": "users:read",
    "reactions.add": "reactions:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "views.open": None,
    "views.publish": None,
    "auth.test": None,
    "response_url": None,
    "file_upload": None,
}
EVENT_SCOPES = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "app_home_opened": None,
}


def buttons_of(call_args: dict[str, Any]) -> list[str]:
    blocks = call_args.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [
        element["value"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def posts_to(run: Running, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in run.fake.of("chat.postMessage") if c.args.get("channel") == channel]


def new_meeting_values(title: str, day: str = "2027-02-04") -> dict[str, dict[str, Any]]:
    return {
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "date": {"value": {"type": "datepicker", "selected_date": day}},
        "time": {"value": {"type": "timepicker", "selected_time": "10:00"}},
        "duration": {"value": {"type": "static_select", "selected_option": None}},
        "type": {"value": {"type": "static_select", "selected_option": {"value": "discharge"}}},
        "case": {"value": {"type": "plain_text_input", "value": "BH-5521"}},
        "invitees": {"value": {"type": "multi_users_select", "selected_users": [TOM, NURSE]}},
    }


def records(run: Running) -> tuple[Meeting, list[Invitation], list[Decision], list[Action]]:
    with run.store.transaction(run.clock()) as session:
        meeting = session.scalars(select(Meeting)).one()
        invitations = list(session.scalars(select(Invitation).order_by(Invitation.id)))
        decisions = list(session.scalars(select(Decision)))
        actions = list(session.scalars(select(Action)))
        return meeting, invitations, decisions, actions


def rsvp_of(run: Running, user: str) -> str:
    with run.store.transaction(run.clock()) as session:
        invitation = session.scalars(
            select(Invitation)
            .join(Person, Invitation.person_id == Person.id)
            .where(Person.external_id == user)
        ).one()
        return invitation.rsvp


def test_a_meeting_end_to_end(slack: Running) -> None:
    fake = slack.fake
    assert slack.slash("iam Brighton Adult Social Care as social worker", PRIYA).status_code == 200
    assert slack.slash("iam Moat Housing as tenancy officer", TOM).status_code == 200
    assert "Brighton Adult Social Care" in fake.of("response_url")[0].args["text"]

    # /mdt new alone opens the form; submitting it schedules M1 through the core.
    assert slack.slash("new", PRIYA).status_code == 200
    opened = fake.of("views.open")
    assert len(opened) == 1
    view = opened[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == NEW_MEETING
    submitted = slack.interact(
        view_submission(
            NEW_MEETING, new_meeting_values("Discharge planning"), PRIYA, view["private_metadata"]
        )
    )
    assert submitted.status_code == 200
    assert submitted.text == ""
    card = posts_to(slack, CHANNEL)[0]
    assert "M1 Discharge planning" in card["text"]
    assert "<@UPRIYA>" in card["text"]
    assert buttons_of(card) == ["attend M1", "apologies M1", "agenda M1"]
    assert len(fake.of("files.completeUploadExternal")) == 1
    invited = {c.args["users"] for c in fake.of("conversations.open")}
    assert invited == {TOM, NURSE}
    meeting, invitations, _, _ = records(slack)
    assert (meeting.title, meeting.case_ref, meeting.channel) == (
        "Discharge planning",
        "BH-5521",
        CHANNEL,
    )
    assert len(invitations) == 3

    # Tom presses Attend on the card: recorded as him.
    pressed = slack.interact(block_action("attend M1", TOM, response_url=fake.response_url("t1")))
    assert pressed.status_code == 200
    assert rsvp_of(slack, TOM) == "attending"

    # Start: the "meeting started" post becomes the capture thread.
    fake.clear()
    slack.clock.now = BOOKED
    slack.slash("start M1", PRIYA)
    started = posts_to(slack, CHANNEL)
    assert len(started) == 1
    assert "M1 has started" in started[0]["text"]
    meeting, _, _, _ = records(slack)
    assert meeting.status == "running"
    thread = meeting.thread_id
    assert thread is not None
    assert thread.startswith("1800000000.")

    # A decision typed in the thread: recorded, reacted to, confirmed in the thread.
    fake.clear()
    decision = message_event(
        "decision: Discharge to the flat on 11 Feb because adaptations will be fitted",
        PRIYA,
        ts="1800000100.000001",
        thread_ts=thread,
        event_id="EvDECISION",
    )
    assert slack.event(decision).status_code == 200
    assert [c.args["name"] for c in fake.of("reactions.add")] == ["white_check_mark"]
    replies = fake.of("chat.postMessage")
    assert replies
    assert all(c.args.get("thread_ts") == thread for c in replies)
    # Slack retries the same event: nothing is recorded twice.
    retried = slack.event(decision, headers={"X-Slack-Retry-Num": "1"})
    assert retried.status_code == 200
    _, _, decisions, _ = records(slack)
    assert len(decisions) == 1
    assert decisions[0].source_message_id == "1800000100.000001"

    # Plain chat and a bot's message in the thread are left alone.
    fake.clear()
    slack.event(message_event("sounds good", TOM, ts="1800000100.000002", thread_ts=thread))
    slack.event(
        message_event(
            "decision: a bot cannot decide",
            PRIYA,
            ts="1800000100.000003",
            thread_ts=thread,
            subtype="bot_message",
            bot_id="BBOT",
        )
    )
    assert fake.of("chat.postMessage") == []
    assert len(records(slack)[2]) == 1

    # An action for Tom: recorded, and Tom gets a DM with the action's buttons.
    fake.clear()
    slack.event(
        message_event(
            "action: <@UTOM> confirm the grab rails are fitted by 10/2/2027 "
            "measure photo shared with the team",
            PRIYA,
            ts="1800000100.000004",
            thread_ts=thread,
        )
    )
    _, _, _, actions = records(slack)
    assert len(actions) == 1
    assert actions[0].source_message_id == "1800000100.000004"
    dm = [c.args for c in fake.of("chat.postMessage") if c.args["channel"] == "D" + TOM]
    assert len(dm) == 1
    assert buttons_of(dm[0]) == ["accept A1", "done A1", "progress A1", "extend A1"]

    # Someone who may not presses Done: a private refusal, and the action stays open.
    fake.clear()
    refused = slack.interact(
        block_action("done A1", STRANGER, response_url=fake.response_url("stranger"))
    )
    assert refused.status_code == 200
    refusal = fake.of("response_url")
    assert len(refusal) == 1
    assert refusal[0].args["response_type"] == "ephemeral"
    assert "Only" in refusal[0].args["text"]
    assert records(slack)[3][0].status == "open"

    # The owner presses Done in the DM.
    slack.interact(
        block_action("done A1", TOM, channel="D" + TOM, response_url=fake.response_url("tom"))
    )
    assert records(slack)[3][0].status == "done"

    # App Home shows the user's actions and meetings with the same buttons.
    fake.clear()
    slack.event(event_callback({"type": "app_home_opened", "user": PRIYA, "tab": "home"}))
    published = fake.of("views.publish")
    assert len(published) == 1
    home = published[0].args["view"]
    home = json.loads(home) if isinstance(home, str) else home
    values = [e["value"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "attend M1" in values

    # End: the minutes go to the channel.
    fake.clear()
    slack.slash("end M1", PRIYA)
    minutes = [p for p in posts_to(slack, CHANNEL) if p["text"].startswith("Minutes of M1")]
    assert len(minutes) == 1
    assert "Discharge to the flat on 11 Feb" in minutes[0]["text"]
    assert records(slack)[0].status == "ended"


def test_the_manifest_declares_what_the_app_uses(slack: Running) -> None:
    """Every listener is declared in the manifest, and no scope is asked for without a use."""
    data = manifest()
    registered = slack.bot.registered
    commands = [c["command"] for c in data["features"]["slash_commands"]]
    assert commands == registered.commands
    assert all(c["should_escape"] for c in data["features"]["slash_commands"])
    shortcuts = [s["callback_id"] for s in data["features"]["shortcuts"]]
    assert sorted(shortcuts) == sorted(registered.shortcuts)
    declared_events = {
        e.split(".")[0] for e in data["settings"]["event_subscriptions"]["bot_events"]
    }
    assert declared_events == set(registered.events)
    assert data["settings"]["interactivity"]["is_enabled"] == bool(
        registered.actions or registered.views or registered.shortcuts
    )
    assert data["features"]["app_home"]["home_tab_enabled"] == (
        "app_home_opened" in registered.events
    )
    used = {s for s in METHOD_SCOPES.values() if s} | {s for s in EVENT_SCOPES.values() if s}
    assert set(BOT_SCOPES) == used | {"commands"}
    assert set(BOT_EVENTS) == set(EVENT_SCOPES)
