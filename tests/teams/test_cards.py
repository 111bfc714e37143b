"""Adaptive Cards: user text is inert, JSON-safe, mentions are real, forms run commands."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from bot.teams.cards import TeamsText, card_actions, escape, meeting_form, plain
from commands.meetings.forms import MeetingForm
from commands.messages import Message
from commands.reviews.meeting_review import review_buttons
from storage.models import Invitation, Meeting
from tests.support import snapshot
from tests.teams.card_rules import (
    MESSAGE_LIMIT,
    activity_problems,
    card_problems,
    element_ids,
    js_parser_problems,
    text_problems,
)
from tests.teams.conftest import Teams, mention
from tests.teams.fake_teams import CHANNEL, NURSE, PRIYA, TOM

HOSTILE = '**urgent** [click](https://evil.test) <at>Tom Reed</at> _x_ "q" \\ ${x} </at>'


def _card_texts(card: dict[str, Any]) -> str:
    return "\n".join(b["text"] for b in card["body"] if b["type"] == "TextBlock")


def test_user_text_cannot_become_markup_or_a_mention(teams: Teams) -> None:
    at_tom, tom_entity = mention(TOM)
    typed = html.escape(HOSTILE, quote=False)  # Teams sends what people type HTML-escaped
    teams.command(PRIYA, f"new {typed} on 4/2/2027 at 10:00 with {at_tom}", entities=[tom_entity])
    post = teams.fake.to(CHANNEL)[0]
    raw = json.dumps(post.activity)
    assert json.loads(raw) == post.activity
    text = _card_texts(post.card())
    assert "\\*\\*urgent\\*\\*" in text
    assert "\\[click\\](https://evil.test)" in text
    assert "\\<at\\>Tom Reed\\</at\\>" in text
    assert "\\_x\\_" in text
    assert '"q"' in text
    assert "\\\\" in text
    entities = post.card()["msteams"]["entities"]
    assert {e["mentioned"]["id"] for e in entities} == {PRIYA.aad, TOM.aad}
    assert all(e["text"] in text for e in entities)
    assert "**urgent**" in post.activity["summary"], "notifications show the words as typed"


def test_escape_round_trips_through_plain() -> None:
    for sample in [HOSTILE, "- a list?\n1. numbered\n# heading", "plain words, 3.5 mg"]:
        assert plain(escape(sample)) == sample
    assert escape("- item") == "\\- item"
    assert escape("12. twelve") == "12\\. twelve"


def test_buttons_that_need_words_open_a_small_form(teams: Teams) -> None:
    teams.command(PRIYA, "new Strategy discussion on 4/2/2027 at 10:00")
    card = teams.fake.to(CHANNEL)[0].card()
    by_title = {a["title"]: a for a in card["actions"]}
    assert by_title["Attend"]["type"] == "Action.Execute"
    assert by_title["Attend"]["style"] == "positive"
    agenda = by_title["Add agenda item"]
    assert agenda["type"] == "Action.ShowCard"
    [field] = agenda["card"]["body"]
    assert (field["type"], field["id"], field["isRequired"]) == (
        "Input.Text",
        "text-agenda-m1",
        True,
    )
    assert field["errorMessage"]
    assert agenda["card"]["actions"][0]["data"] == {
        "verb": "mdt",
        "command": "agenda M1",
        "input": "text-agenda-m1",
    }
    assert by_title["Send apologies"]["card"]["body"][0]["isRequired"] is False
    ids = element_ids(card)
    assert len(ids) == len(set(ids)) > 1, "every input on the card has an id of its own"


def test_the_form_reads_the_input_its_button_names(teams: Teams) -> None:
    teams.command(PRIYA, "new Strategy discussion on 4/2/2027 at 10:00")
    data = {"verb": "mdt", "command": "agenda M1", "input": "text-agenda-m1"}
    _, body = teams.press(PRIYA, {**data, "text-agenda-m1": "Adaptations", "text-x": "other"})
    assert body is not None
    assert "Added to the agenda of M1: Adaptations" in body["value"]["body"][0]["text"]


def test_the_card_rules_refuse_what_teams_refuses() -> None:
    field = {"type": "Input.Text", "id": "text", "isRequired": True}
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [field, {**field, "errorMessage": "Say something"}],
        "actions": [{"type": "Action.Execute", "title": "Go", "colour": "red"}],
        "msteams": {"width": "Full"},
    }
    problems = card_problems(card)
    assert "id 'text' used more than once" in problems
    assert "required input 'text' has no errorMessage" in problems
    assert any("colour" in p for p in problems), problems
    big = {"type": "message", "text": "x" * MESSAGE_LIMIT}
    assert activity_problems(big) == [
        f"message is {MESSAGE_LIMIT + 31} bytes, over {MESSAGE_LIMIT}"
    ]
    empty = {"type": "Input.ChoiceSet", "id": "with", "choices": []}
    assert "ChoiceSet 'with' has no choices" in card_problems({**card, "body": [empty]})


def test_the_add_agenda_item_form_adds_the_item(teams: Teams) -> None:
    teams.command(PRIYA, "new Strategy discussion on 4/2/2027 at 10:00")
    status, body = teams.press(
        PRIYA, {"verb": "mdt", "command": "agenda M1", "text": "Adaptations **now**"}
    )
    assert status == 200
    assert body is not None
    assert (
        "Added to the agenda of M1: Adaptations \\*\\*now\\*\\*" in body["value"]["body"][0]["text"]
    )


def test_new_alone_opens_the_form_and_the_form_schedules(teams: Teams) -> None:
    teams.command(PRIYA, "new")
    [form_post] = teams.fake.take()
    assert form_post.conversation == f"a:personal-{PRIYA.teams_id}"
    form = form_post.card()
    ids = [item.get("id") for item in form["body"] if "id" in item]
    assert ids == ["title", "date", "time", "duration", "type", "case", "with"]
    types = {c["value"] for c in form["body"][5]["choices"]}
    assert {"strategy", "discharge", "complex-case"} <= types
    submit = form["actions"][0]
    assert (submit["type"], submit["verb"]) == ("Action.Execute", "mdt-new")
    with teams.store.transaction(teams.clock()) as session:
        assert session.scalar(select(Meeting.id)) is None

    data = {
        "verb": "mdt-new",
        "title": "Strategy discussion",
        "date": "2027-02-04",
        "time": "10:00",
        "duration": "90 minutes",
        "type": "strategy",
        "case": "AB-1234",
        "with": f"{TOM.aad},{NURSE.aad}",
    }
    status, body = teams.press(
        PRIYA, data, conversation=f"a:personal-{PRIYA.teams_id}", conversation_type="personal"
    )
    assert status == 200
    assert body is not None
    with teams.store.transaction(teams.clock()) as session:
        meeting = session.scalars(select(Meeting)).one()
        assert (meeting.title, meeting.case_ref, meeting.meeting_type) == (
            "Strategy discussion",
            "AB-1234",
            "strategy",
        )
        assert meeting.ends_at - meeting.starts_at == __import__("datetime").timedelta(minutes=90)
        invited = {
            i.person.external_id
            for i in session.scalars(select(Invitation).where(Invitation.role != "chair"))
        }
        assert invited == {TOM.aad, NURSE.aad}
    assert any(
        "You are invited to M1" in s.text() for s in teams.fake.to(f"a:personal-{TOM.teams_id}")
    )


def test_a_form_without_a_date_is_refused_and_saves_nothing(teams: Teams) -> None:
    before = snapshot(teams.store)
    status, body = teams.press(PRIYA, {"verb": "mdt-new", "title": "Strategy", "time": "10:00"})
    assert status == 200
    assert body is not None
    assert "When is the meeting?" in body["value"]["body"][0]["text"] or "date" in (
        body["value"]["body"][0]["text"].lower()
    )
    after = snapshot(teams.store)
    assert {k: v for k, v in after.items() if k in {"meeting", "invitation", "agenda_item"}} == {
        k: v for k, v in before.items() if k in {"meeting", "invitation", "agenda_item"}
    }


def test_the_form_keeps_each_field_apart() -> None:
    form = meeting_form(
        {"title": " Strategy\n discussion ", "date": "2027-02-04", "time": "10:00", "with": "a, b"}
    )
    assert form == MeetingForm(
        "Strategy discussion", "2027-02-04", "10:00", invitees=("@teams:a", "@teams:b")
    )


def test_review_buttons_ask_for_the_item() -> None:
    actions = card_actions(review_buttons("M1"), TeamsText())
    assert [a["type"] for a in actions] == ["Action.ShowCard"] * 3
    assert "KEEP" in actions[0]["card"]["body"][0]["label"]
    assert actions[2]["card"]["actions"][0]["data"] == {
        "verb": "mdt",
        "command": "review M1 start",
        "input": "text-review-m1-start",
    }
    assert len({a["card"]["body"][0]["id"] for a in actions}) == 3


def test_help_and_lists_read_as_card_text(teams: Teams) -> None:
    teams.command(PRIYA, "help")
    teams.command(PRIYA, "help new")
    teams.command(PRIYA, "list")
    texts = [s.text() for s in teams.fake.take()]
    words = "\n".join(texts)
    assert "**mdt help" in words or "**/mdt" in words, "commands are shown in bold"
    assert "`" not in words
    assert "No upcoming meetings in this channel" in words
    assert CHANNEL not in words
    cards = [text_problems({"type": "TextBlock", "text": t}) for t in ("    x", "a `b`", "\\`")]
    assert all(cards), "the rules the fake applies to every card catch each of these"
    hostile = TeamsText().render(Message("private", "teams:this_channel", {}, "UTC"))[0]
    assert hostile == "this channel"


def test_backtick_spans_become_bold_and_a_lone_backtick_stays(teams: Teams) -> None:
    teams.command(PRIYA, "new Strategy `urgent` discussion ` on 4/2/2027 at 10:00")
    card = teams.fake.to(CHANNEL)[0]
    assert "Strategy **urgent** discussion `" in card.text()


def test_the_js_parser_refuses_what_teams_mobile_refuses() -> None:
    field = {"type": "Input.Text", "id": "text", "label": "Item", "isRequired": True}
    bad = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [field, field, {"type": "Input.ChoiceSet", "id": "with", "choices": []}],
        "actions": [{"type": "Action.Launch", "title": "Go"}],
    }
    good = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hi"}]}
    refused, accepted = js_parser_problems([bad, good])
    assert accepted == []
    words = "\n".join(refused)
    assert 'Duplicate Id "text"' in words
    assert "Required inputs should have an error message" in words
    assert "must have at least one choice" in words
    assert 'Unknown action type "Action.Launch"' in words


@pytest.mark.parametrize(
    "planted",
    ["\ue00099\ue001", "\ue0000\ue001", "\ue000\ue000\ue0011\ue001\ue001", "\ue001\ue000"],
    ids=["out-of-range", "forged-first", "nested", "reversed"],
)
def test_mention_frames_in_user_text_neither_crash_nor_mention(teams: Teams, planted: str) -> None:
    at_tom, tom_entity = mention(TOM)
    status, _ = teams.command(
        PRIYA,
        f"new Planted {planted} title on 4/2/2027 at 10:00 with {at_tom}",
        entities=[tom_entity],
    )
    assert status == 200
    announced = teams.fake.to(CHANNEL)[0]
    assert re.search(r"M1 Planted \d* ?title", announced.text())
    for line in ("list", "show M1"):
        status, _ = teams.command(PRIYA, line)
        assert status == 200
    for sent in teams.fake.sent:
        text = json.dumps(sent.activity, ensure_ascii=False)
        assert "\ue000" not in text
        assert "\ue001" not in text
        entities = sent.activity["attachments"][0]["content"].get("msteams", {}).get("entities", [])
        assert {e["mentioned"]["id"] for e in entities} <= {PRIYA.aad, TOM.aad}
        shown = re.findall(r"<at>.*?</at>", sent.text())
        assert set(shown) <= {e["text"] for e in entities}, "every <at> is a real mention"
    show = teams.fake.sent[-1].text()
    assert "M1" in show
    assert "Planted" in show
