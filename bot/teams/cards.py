"""Adaptive Cards from platform-free messages: escaped text, mentions, buttons and forms."""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup

from bot.render import Renderer
from commands.meetings.forms import MeetingForm
from commands.meetings.types import meeting_types
from commands.messages import Attachment, Button, Message, prompt_for

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
VERB = "mdt"
# What one message's JSON may come to: under Teams' 28 KB, with room for what the Connector adds.
MESSAGE_BUDGET = 26_000
NEW_VERB = "mdt-new"
TITLED_KINDS = frozenset(
    {
        "meeting_card",
        "meeting_started",
        "invitation",
        "action_card",
        "extension_request",
        "minutes",
        "review_prompt",
        "review_request",
        "review_summary",
        "review_insights",
    }
)
SIGNIFICANT = re.compile(r"([\\*_~\[\]<>])")
# Card text has no code spans: a `command` is shown in bold instead.
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# A Teams conversation id where a channel's name would go: people read "this channel" instead.
CHANNEL_ID = re.compile(r"#(?:19:[^\s@]+@thread\.[a-z0-9]+|a:[\w\\-]+)")
INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
UNESCAPE = re.compile(r"\\([\\`*_~\[\]<>+#.-])")
OPEN, CLOSE = "\ue000", "\ue001"
# The two characters that frame a mention's key while a card renders; never left in user text.
FRAMES = re.compile("[\ue000\ue001]")
HTML_TO_CARD = {"&lt;": "\\<", "&gt;": "\\>", "&amp;": "&", "&#34;": '"', "&#39;": "'"}
ENTITY = re.compile("|".join(HTML_TO_CARD))
NOT_ID = re.compile(r"[^a-z0-9]+")
LINE_START = re.compile(r"^(\s*)(?:([-+#])|(\d+)\.)", re.MULTILINE)


def escape(text: str) -> str:
    """User text made inert in a TextBlock: no emphasis, links, lists, headings or mentions."""
    escaped = SIGNIFICANT.sub(r"\\\1", text)
    return LINE_START.sub(_line_start, escaped)


def _line_start(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(1)}{match.group(3)}\\."


class TeamsText:
    """Renders a message's text for a card, collecting the mention entities it needs.

    The mentions are kept beside the text, as a list of (id, name); while the template renders,
    the text holds only a key for each, framed by private-use characters and carrying a random
    part drawn for this render alone (so filters that join names keep it intact, and no user
    text can stand for one: a key without this render's random part is no key). Each key is
    then replaced by `<at>name</at>`, and the framing characters left are dropped.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self.renderer = Renderer(mention=self._mention, finalize=self._finalize)
        self.renderer.env.autoescape = True  # macro output is Markup: escaped once, not twice
        self.this_channel = self.say("teams:this_channel")

    def _people(self) -> list[tuple[str, str]]:
        people: list[tuple[str, str]] | None = getattr(self._local, "people", None)
        if people is None:
            people = []
            self._local.people = people
        return people

    def _mention(self, person: Any) -> Markup:
        name = getattr(person, "name", None) or getattr(person, "display_name", None)
        external_id = getattr(person, "external_id", None)
        if not name or not external_id or str(external_id).startswith("email:"):
            return Markup(escape(str(name or person)))  # noqa: S704 - escaped for cards
        people = self._people()
        entry = (str(external_id), str(name))
        if entry not in people:
            people.append(entry)
        key = f"{OPEN}{self._local.nonce}:{people.index(entry)}{CLOSE}"
        return Markup(key)  # noqa: S704 - a mention's key, replaced after rendering

    @staticmethod
    def _finalize(value: Any) -> Any:
        if value is None or isinstance(value, Markup | bool | int | float):
            return value
        return Markup(escape(str(value)))  # noqa: S704 - escaped for cards

    def render(self, message: Message) -> tuple[str, list[dict[str, Any]]]:
        """The text and the mention entities it uses."""
        self._local.people = []
        self._local.nonce = nonce = secrets.token_hex(8)
        keys = re.compile(f"{OPEN}{nonce}:(\\d+){CLOSE}")
        text = ENTITY.sub(lambda m: HTML_TO_CARD[m.group(0)], self.renderer.render(message))
        text = INDENT.sub("", text)  # four spaces would start a code block
        text = CODE_SPAN.sub(r"**\1**", text)
        text = CHANNEL_ID.sub(getattr(self, "this_channel", "this channel"), text)
        people = list(self._people())
        entities: list[dict[str, Any]] = []

        def put_back(match: re.Match[str]) -> str:
            external_id, name = people[int(match.group(1))]
            shown = f"<at>{escape(name)}</at>"
            entity = {
                "type": "mention",
                "text": shown,
                "mentioned": {"id": external_id, "name": name},
            }
            if entity not in entities:
                entities.append(entity)
            return shown

        return FRAMES.sub("", keys.sub(put_back, text)), entities

    def say(self, template: str, **context: Any) -> str:
        """One of Teams' own short texts (labels and notices), rendered in plain."""
        message = Message(audience="private", template=template, context=context, zone="UTC")
        return self.render(message)[0]


def text_blocks(text: str, *, titled: bool, monospace: bool = False) -> list[dict[str, Any]]:
    """One wrapped TextBlock per line, paragraphs spaced apart; the first bold for a title."""
    blocks: list[dict[str, Any]] = []
    for number, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
        for index, line in enumerate(x for x in paragraph.splitlines() if x.strip()):
            block: dict[str, Any] = {"type": "TextBlock", "text": line, "wrap": True}
            if not blocks and titled:
                block["weight"] = "Bolder"
            elif monospace:
                block["fontType"] = "Monospace"
            if blocks:
                block["spacing"] = "Medium" if number and not index else "None"
            blocks.append(block)
    return blocks


def card_line(line: str) -> str:
    """A line of a file's text as card text: inert, not indented, no code spans."""
    return CODE_SPAN.sub(r"**\1**", escape(line.strip())) or " "


def plain(text: str) -> str:
    """Card text back to plain words, for notifications: no escapes, no mention tags."""
    return UNESCAPE.sub(r"\1", text.replace("<at>", "").replace("</at>", ""))


def command_data(command: str) -> dict[str, str]:
    """What a button carries: the card verb and the button's value (`verb ref [arg]`)."""
    return {"verb": VERB, "command": command}


def input_id(command: str, taken: set[str]) -> str:
    """An input's id from the command it completes, distinct from the ids already on the card."""
    base = "text-" + (NOT_ID.sub("-", command.lower()).strip("-") or "line")
    chosen, number = base, 1
    while chosen in taken:
        number += 1
        chosen = f"{base}-{number}"
    taken.add(chosen)
    return chosen


def submitted_text(data: Mapping[str, Any]) -> str:
    """The line typed into a button's small form: the input the button names, else `text`."""
    named = data.get("input")
    value = data.get(named) if isinstance(named, str) and named.startswith("text") else None
    if value is None:
        value = data.get("text")
    return " ".join(value.split()) if isinstance(value, str) else ""


def card_actions(
    buttons: Iterable[Button], text: TeamsText, taken: set[str] | None = None
) -> list[dict[str, Any]]:
    """Buttons as Action.Execute; those that need a line of text open a small form first.

    Each form's input has an id of its own (Teams' card parser rejects a card on which two
    inputs share one), and the button says which input carries its words.
    """
    taken = set() if taken is None else taken
    actions: list[dict[str, Any]] = []
    for button in buttons:
        execute: dict[str, Any] = {
            "type": "Action.Execute",
            "title": button.label,
            "verb": VERB,
            "data": command_data(button.value),
        }
        if button.style == "primary":
            execute["style"] = "positive"
        prompt = prompt_for(button.value)
        if prompt is None:
            actions.append(execute)
            continue
        required = prompt.required
        label = text.say(prompt.label, what=button.label)
        field_id = input_id(button.value, taken)
        send = {
            **execute,
            "title": text.say("teams:input_send"),
            "data": {**command_data(button.value), "input": field_id},
        }
        send.pop("style", None)
        inner = {
            "type": "AdaptiveCard",
            "body": [
                {
                    "type": "Input.Text",
                    "id": field_id,
                    "label": label,
                    "isRequired": required,
                    "maxLength": 500,
                    **({"errorMessage": label} if required else {}),
                }
            ],
            "actions": [send],
        }
        actions.append({"type": "Action.ShowCard", "title": button.label, "card": inner})
    return actions


def adaptive_card(
    body: list[dict[str, Any]],
    actions: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An Adaptive Card document."""
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    if entities:
        card["msteams"]["entities"] = entities
    return card


def message_card(message: Message, text: TeamsText, *, with_buttons: bool = True) -> dict[str, Any]:
    """The card that shows one message."""
    rendered, entities = text.render(message)
    body = text_blocks(
        rendered, titled=message.kind in TITLED_KINDS, monospace=message.kind == "minutes"
    )
    actions = card_actions(message.buttons, text) if with_buttons else []
    return adaptive_card(body, actions, entities)


def card_attachment(card: Mapping[str, Any]) -> dict[str, Any]:
    """An activity attachment holding a card."""
    return {"contentType": CARD_TYPE, "content": dict(card)}


def _activity(card: dict[str, Any]) -> dict[str, Any]:
    summary = plain(next((str(b["text"]) for b in card["body"]), ""))
    return {"type": "message", "summary": summary[:200], "attachments": [card_attachment(card)]}


def _size(activity: Mapping[str, Any]) -> int:
    return len(json.dumps(activity, ensure_ascii=False).encode("utf-8"))


def split_card(card: dict[str, Any]) -> list[dict[str, Any]]:
    """A card cut into cards that each fit a Teams message; the buttons stay on the first.

    Each part keeps only the mentions its own text uses.
    """
    if _size(_activity(card)) <= MESSAGE_BUDGET:
        return [card]
    entities = card.get("msteams", {}).get("entities", [])
    parts: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []

    def close(blocks: list[dict[str, Any]]) -> dict[str, Any]:
        used = [e for e in entities if any(e["text"] in str(b.get("text", "")) for b in blocks)]
        actions = card.get("actions") if not parts else None
        return adaptive_card(blocks, actions, used)

    for block in card["body"]:
        if blocks and _size(_activity(close([*blocks, block]))) > MESSAGE_BUDGET:
            parts.append(close(blocks))
            blocks = [{**block, "spacing": "None"}] if "spacing" in block else [block]
        else:
            blocks.append(block)
    parts.append(close(blocks))
    return parts


def file_cards(message: Message, file: Attachment, text: TeamsText) -> list[dict[str, Any]]:
    """A file as Teams can take it from this app (no files): its text posted in parts.

    The text minutes are already the card's own words, so they are not posted twice; a web
    page is not text to read, so a notice says where to get the words instead.
    """
    if message.kind == "minutes" and file.media_type == "text/plain":
        return []
    if file.media_type == "text/html":
        notice = text.say("teams:file_not_sent", name=file.filename)
        return [adaptive_card(text_blocks(notice, titled=False))]
    heading = text.say("teams:file_heading", name=file.filename)
    lines = file.content.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    body = [{"type": "TextBlock", "text": heading, "weight": "Bolder", "wrap": True}]
    body += [
        {"type": "TextBlock", "text": card_line(line), "wrap": True, "spacing": "None"}
        | {"fontType": "Monospace"}
        for line in lines
        if line.strip()
    ]
    return split_card(adaptive_card(body))


def message_activities(message: Message, text: TeamsText) -> list[dict[str, Any]]:
    """The message activities one message becomes: its card (in parts if long), then its files.

    Teams refuses a message over 28 KB and this app sends no files, so nothing goes as a file.
    """
    cards = split_card(message_card(message, text))
    for file in message.attachments:
        cards += file_cards(message, file, text)
    return [_activity(card) for card in cards]


def new_meeting_form(text: TeamsText) -> dict[str, Any]:
    """The form `mdt new` alone opens: what `/mdt new` asks for, as inputs."""
    types = [{"title": kind.label, "value": name} for name, kind in sorted(meeting_types().items())]
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": text.say("teams:form_heading"), "weight": "Bolder"},
        {
            "type": "Input.Text",
            "id": "title",
            "label": text.say("teams:form_title"),
            "isRequired": True,
            "maxLength": 200,
            "errorMessage": text.say("teams:form_title_missing"),
        },
        {
            "type": "Input.Date",
            "id": "date",
            "label": text.say("teams:form_date"),
            "isRequired": True,
            "errorMessage": text.say("teams:form_date_missing"),
        },
        {
            "type": "Input.Time",
            "id": "time",
            "label": text.say("teams:form_time"),
            "isRequired": True,
            "errorMessage": text.say("teams:form_time_missing"),
        },
        {"type": "Input.Text", "id": "duration", "label": text.say("teams:form_duration")},
        {
            "type": "Input.ChoiceSet",
            "id": "type",
            "label": text.say("teams:form_type"),
            "choices": types,
            "style": "compact",
        },
        {"type": "Input.Text", "id": "case", "label": text.say("teams:form_case"), "maxLength": 40},
        {
            "type": "Input.Text",
            "id": "with",
            "label": text.say("teams:form_with"),
            "placeholder": text.say("teams:form_with_example"),
            "maxLength": 1000,
        },
    ]
    submit = {
        "type": "Action.Execute",
        "title": text.say("teams:form_submit"),
        "verb": NEW_VERB,
        "data": {"verb": NEW_VERB},
        "style": "positive",
    }
    return adaptive_card(body, [submit])


def meeting_form(data: Mapping[str, Any]) -> MeetingForm:
    """The meeting a submitted form asks for; people as `@teams:<id>` tokens."""

    def field(name: str) -> str:
        value = data.get(name)
        return " ".join(str(value).split()) if isinstance(value, str | int) else ""

    people = [p.strip() for p in field("with").replace(";", ",").split(",") if p.strip()]
    return MeetingForm(
        title=field("title"),
        date=field("date"),
        time=field("time"),
        duration=field("duration"),
        kind=field("type"),
        case=field("case"),
        invitees=tuple(f"@teams:{p}" for p in people),
    )
