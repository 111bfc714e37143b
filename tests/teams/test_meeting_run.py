"""A whole meeting run through Teams activities: commands, card buttons, the thread, minutes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.conversations import ConversationRef, PlatformUser
from storage.models import Action, ActionUpdate, Decision, Invitation, Meeting, Note, Person
from tests.support import snapshot
from tests.teams.conftest import BOOKED, Teams, bot_mention, mention
from tests.teams.fake_teams import BOT_ID, CHANNEL, NURSE, PRIYA, STRANGER, TOM, Sent

BOOKKEEPING = {"processed_event", "conversation_ref", "platform_user", "audit_entry"}


def records(teams: Teams) -> dict[str, Any]:
    """Every record but the bot's own bookkeeping."""
    return {k: v for k, v in snapshot(teams.store).items() if k not in BOOKKEEPING}


def personal(user: Any) -> str:
    return f"a:personal-{user.teams_id}"


def actions_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A card's buttons by title; a button with a form shows its inner Execute action."""
    found = {}
    for action in card.get("actions", []):
        if action["type"] == "Action.ShowCard":
            found[action["title"]] = action["card"]["actions"][0]
        else:
            found[action["title"]] = action
    return found


def only(sent: list[Sent], conversation: str) -> Sent:
    matching = [s for s in sent if s.conversation.split(";messageid=")[0] == conversation]
    assert len(matching) == 1, [s.conversation for s in sent]
    return matching[0]


def install(teams: Teams) -> None:
    """The app added to the team: the bot hears of its channel and says hello."""
    update = teams.activity(
        PRIYA, kind="conversationUpdate", membersAdded=[{"id": BOT_ID}, PRIYA.account()]
    )
    assert teams.post(update) == (200, None)


def test_a_meeting_end_to_end(teams: Teams) -> None:
    install(teams)
    welcome = teams.fake.take()
    assert [s.conversation for s in welcome] == [CHANNEL]
    assert "mdt help" in welcome[0].text()

    # Priya says who she is, addressing the bot with an @mention: the answer is hers alone.
    at_bot, bot_entity = bot_mention()
    status, _ = teams.say(
        PRIYA, f"{at_bot} iam Brighton Adult Social Care as social worker", entities=[bot_entity]
    )
    assert status == 200
    reply = only(teams.fake.take(), personal(PRIYA))
    assert "Your agency is Brighton Adult Social Care" in reply.text()
    assert teams.fake.conversations_created[-1]["members"] == [{"id": PRIYA.teams_id}]

    # She schedules the meeting in the channel, naming Tom and the ward nurse.
    at_tom, tom_entity = mention(TOM)
    at_nurse, nurse_entity = mention(NURSE)
    teams.command(
        PRIYA,
        "new Discharge planning case BH-5521 on 4/2/2027 at 10:00 type discharge "
        f"with {at_tom} {at_nurse}",
        entities=[tom_entity, nurse_entity],
    )
    sent = teams.fake.take()
    card_post, ics = [s for s in sent if s.conversation == CHANNEL]
    sent = [s for s in sent if s is not ics]
    assert "M1 Discharge planning - Thu 4 Feb 2027 10:00-11:00" in card_post.text()
    assert card_post.card()["msteams"]["entities"][0]["mentioned"]["id"] == PRIYA.aad
    buttons = actions_of(card_post.card())
    assert buttons["Attend"]["data"] == {"verb": "mdt", "command": "attend M1"}
    assert set(buttons) == {"Attend", "Send apologies", "Add agenda item"}
    assert len(card_post.activity["attachments"]) == 1, "no file: Teams takes none from the app"
    assert ics.text().startswith("M1.ics, as text")
    assert "BEGIN:VCALENDAR" in ics.text()
    tom_invite = only(sent, personal(TOM))
    assert "You are invited to M1" in tom_invite.text()
    only(sent, personal(NURSE))

    # Tom presses Attend on his invitation (Action.Execute): the refreshed card answers him.
    status, body = teams.press(
        TOM,
        actions_of(tom_invite.card())["Attend"]["data"],
        conversation=personal(TOM),
        conversation_type="personal",
    )
    assert status == 200
    assert body is not None
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    refreshed = body["value"]
    assert "You are attending M1" in refreshed["body"][0]["text"]
    assert "Attend" in actions_of(refreshed)
    teams.say(
        TOM,
        "iam Moat Housing as tenancy officer",
        conversation=personal(TOM),
        conversation_type="personal",
    )
    teams.fake.take()

    # Someone not invited presses Attend on the channel card: told who can, nothing changes.
    before = records(teams)
    status, body = teams.press(STRANGER, buttons["Attend"]["data"])
    assert status == 200
    assert body is not None
    assert "M1" in body["value"]["body"][0]["text"]
    assert "Priya Shah" in body["value"]["body"][0]["text"]
    assert records(teams) == before
    assert teams.fake.take() == []

    # The nurse sends apologies from the channel card's small form (Action.Submit this time).
    apologies = dict(buttons["Send apologies"]["data"], text="on a late shift")
    assert teams.submit(NURSE, apologies) == (200, None)
    sent = teams.fake.take()
    assert "Apologies sent for M1" in only(sent, personal(NURSE)).text()
    assert "sent apologies for M1" in only(sent, personal(PRIYA)).text()

    # Priya starts the meeting: the post is the meeting's thread in the channel.
    teams.clock.now = BOOKED
    teams.command(PRIYA, "start M1")
    started = only(teams.fake.take(), CHANNEL)
    assert "M1 has started" in started.text()
    assert started.reply_to is None
    assert started.conversation == CHANNEL

    # Lines in that thread are captured, with or without the bot named.
    thread = started.id
    teams.say(
        PRIYA,
        f"{at_bot} decision: Discharge to the flat on 11 Feb because adaptations will be "
        "fitted by 10 Feb",
        thread=thread,
        entities=[bot_entity],
    )
    confirm = only(teams.fake.take(), CHANNEL)
    assert confirm.reply_to == thread
    assert confirm.conversation == f"{CHANNEL};messageid={thread}"
    assert "Decision D1 recorded in M1" in confirm.text()
    teams.say(
        PRIYA,
        f"action: {at_tom} confirm the grab rails are fitted by 10/2/2027 "
        "measure photo of fitted rails shared with the team",
        thread=thread,
        entities=[tom_entity],
    )
    sent = teams.fake.take()
    assert only(sent, CHANNEL).reply_to == thread
    action_dm = only(sent, personal(TOM))
    assert "You have a new action A1 from M1" in action_dm.text()
    action_buttons = actions_of(action_dm.card())
    assert set(action_buttons) == {"Accept", "Done", "Add progress", "Need more time"}
    teams.say(PRIYA, "note: the person joined by phone", thread=thread)
    teams.say(PRIYA, "just chatting, not for the record", thread=thread)
    assert len(teams.fake.take()) == 1

    # Tom accepts and adds progress from the action card.
    _, body = teams.press(
        TOM,
        action_buttons["Accept"]["data"],
        conversation=personal(TOM),
        conversation_type="personal",
    )
    assert body is not None
    assert "You have accepted A1" in body["value"]["body"][0]["text"]
    progress = dict(action_buttons["Add progress"]["data"], text="rails ordered")
    _, body = teams.press(TOM, progress, conversation=personal(TOM), conversation_type="personal")
    assert body is not None
    assert "Progress noted on A1: rails ordered" in body["value"]["body"][0]["text"]
    teams.fake.take()

    # Priya ends it from the thread; the minutes go into the thread.
    teams.command(PRIYA, "end", thread=thread)
    minutes = [s for s in teams.fake.take() if "Minutes of M1" in s.text()]
    assert len(minutes) == 1
    assert minutes[0].reply_to == thread
    assert "Discharge to the flat on 11 Feb" in minutes[0].text()

    with teams.store.transaction(teams.clock()) as session:
        meeting = session.scalars(select(Meeting)).one()
        assert (meeting.status, meeting.thread_id, meeting.channel) == ("ended", thread, CHANNEL)
        decision = session.scalars(select(Decision)).one()
        assert decision.rationale == "adaptations will be fitted by 10 Feb"
        assert decision.source_channel == CHANNEL
        action = session.scalars(select(Action)).one()
        assert action.accepted is True
        assert action.owner.email == TOM.email
        assert [u.kind for u in session.scalars(select(ActionUpdate))][-1] == "progress"
        assert session.scalars(select(Note)).one().text == "the person joined by phone"
        rsvps = {i.person.display_name: i.rsvp for i in session.scalars(select(Invitation))}
        assert rsvps == {
            "Priya Shah": "attending",
            "Tom Reed": "attending",
            "Ward Seven Nurse": "apologies",
        }
        people = {p.external_id: p for p in session.scalars(select(Person))}
        assert people[PRIYA.aad].timezone == "Europe/London"
        assert people[PRIYA.aad].email == PRIYA.email
        kinds = {
            r.conversation_key: r.conversation_type
            for r in session.scalars(select(ConversationRef))
        }
        assert kinds[CHANNEL] == "channel"
        assert kinds[personal(TOM)] == "personal"
        assert {u.external_id for u in session.scalars(select(PlatformUser))} >= {
            PRIYA.aad,
            TOM.aad,
            NURSE.aad,
        }


def test_a_refused_command_changes_nothing_and_says_who_can(teams: Teams) -> None:
    teams.command(PRIYA, "new Strategy discussion case AB-1234 on 4/2/2027 at 10:00")
    teams.fake.take()
    before = records(teams)
    teams.command(STRANGER, "start M1")
    refusal = only(teams.fake.take(), personal(STRANGER))
    assert "Priya Shah" in refusal.text()
    assert records(teams) == before


def test_an_unknown_card_verb_is_refused_clearly(teams: Teams) -> None:
    teams.command(PRIYA, "new Strategy discussion case AB-1234 on 4/2/2027 at 10:00")
    teams.fake.take()
    before = records(teams)
    status, body = teams.press(PRIYA, {"verb": "drop-tables", "command": "cancel M1"})
    assert status == 200
    assert body is not None
    assert "That button is not one I know" in body["value"]["body"][0]["text"]
    status, _ = teams.submit(PRIYA, {"verb": "mdt"})
    assert status == 200
    assert "That button is not one I know" in only(teams.fake.take(), personal(PRIYA)).text()
    assert records(teams) == before


def test_other_invokes_are_not_implemented(teams: Teams) -> None:
    before = records(teams)
    activity = teams.activity(PRIYA, kind="invoke", name="composeExtension/query", value={})
    assert teams.post(activity) == (501, None)
    assert records(teams) == before
