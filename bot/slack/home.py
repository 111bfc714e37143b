"""App Home: the user's open actions (overdue first) and upcoming meetings, with their buttons."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.slack.render import SlackRenderer, button_elements, chunks
from commands.messages import Message
from commands.people.naming import action_buttons, meeting_buttons

MAX_ROWS = 20
TITLE = "slack:home_title"
INTRO = "slack:home_intro"


def _text_blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in chunks(text)]


def _rows(message: Message, key: str) -> list[dict[str, Any]]:
    """One row of buttons per action or meeting listed in a core reply."""
    items = message.context.get(key) or []
    rows = []
    for item in list(items)[:MAX_ROWS]:
        ref = getattr(item, "ref", None)
        if not isinstance(ref, str):
            continue
        buttons = action_buttons(ref) if key == "actions" else meeting_buttons(ref)
        rows.append(
            {
                "type": "actions",
                "block_id": f"home_{ref}",
                "elements": button_elements(buttons),
            }
        )
    return rows


def home_view(
    renderer: SlackRenderer,
    intro: Message,
    actions: list[Message],
    meetings: list[Message],
) -> dict[str, Any]:
    """The Home tab built from the core's own `actions mine` and `list mine` replies."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": renderer.render(replace(intro, template=TITLE))},
        },
        *_text_blocks(renderer.render(intro)),
        {"type": "divider"},
    ]
    for messages, key in ((actions, "actions"), (meetings, "meetings")):
        for message in messages:
            blocks += _text_blocks(renderer.render(message))
            blocks += _rows(message, key)
        blocks.append({"type": "divider"})
    return {"type": "home", "callback_id": "mdt_home", "blocks": blocks[:100]}
