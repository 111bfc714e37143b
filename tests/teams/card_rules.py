"""What Teams asks of a message: a card valid under Adaptive Cards 1.5, distinct ids, 28 KB."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_FILE = Path(__file__).parent.parent / "data" / "adaptive-card-1.5.0.json"
# Teams refuses a message over about 28 KB; counted here as 28,000 bytes of the activity's JSON.
MESSAGE_LIMIT = 28_000
CODE_SPAN = re.compile(r"`[^`\n]+`")
CHANNEL_ID = re.compile(r"19:[^\s@]+@thread\.")
# Where an `id` is the card author's own data, not an element's or an action's id.
NOT_ELEMENTS = frozenset({"data", "msteams"})
DATA_URLS_REFUSED = True
CHECKED: Counter[str] = Counter()


@cache
def validator() -> Draft6Validator:
    """The published 1.5 schema, with Teams' `msteams` property allowed on a card."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    teams = copy.deepcopy(schema)
    teams["definitions"]["AdaptiveCard"]["properties"]["msteams"] = {"type": "object"}
    Draft6Validator.check_schema(teams)
    return Draft6Validator(teams)


def element_ids(node: Any) -> list[str]:
    """Every element's and action's id on a card, inner cards of Action.ShowCard included."""
    found: list[str] = []
    if isinstance(node, dict):
        if isinstance(node.get("id"), str) and "type" in node:
            found.append(node["id"])
        for key, value in node.items():
            if key not in NOT_ELEMENTS:
                found += element_ids(value)
    elif isinstance(node, list):
        for item in node:
            found += element_ids(item)
    return found


def card_problems(card: dict[str, Any]) -> list[str]:
    """Why a card would be refused: schema errors and ids used twice (none if it is fine)."""
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or 'card'}: {e.message}"
        for e in validator().iter_errors(card)
    ]
    twice = [i for i, n in Counter(element_ids(card)).items() if n > 1]
    problems += [f"id {i!r} used more than once" for i in twice]
    problems += [
        f"ChoiceSet {e.get('id')!r} has no choices"
        for e in _elements(card)
        if e.get("type") == "Input.ChoiceSet" and not e.get("choices")
    ]
    problems += [
        f"required input {e.get('id')!r} has no errorMessage"
        for e in _elements(card)
        if str(e.get("type", "")).startswith("Input.") and e.get("isRequired")
        if not e.get("errorMessage")
    ]
    return problems + text_problems(card)


def text_problems(card: dict[str, Any]) -> list[str]:
    """What card text must not hold: code blocks, code spans, backslash-backticks, channel ids."""
    problems = []
    for element in _elements(card):
        text = element.get("text") if element.get("type") == "TextBlock" else None
        if not isinstance(text, str):
            continue
        if text.startswith(("    ", "\t")):
            problems.append(f"indented line (a code block in Teams): {text!r}")
        if "\\`" in text or CODE_SPAN.search(text):
            problems.append(f"backticks (no code spans in card text): {text!r}")
        if CHANNEL_ID.search(text):
            problems.append(f"a channel id where people read it: {text!r}")
    return problems


def _elements(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if "type" in node else []
        return own + [x for k, v in node.items() if k not in NOT_ELEMENTS for x in _elements(v)]
    if isinstance(node, list):
        return [x for item in node for x in _elements(item)]
    return []


def activity_problems(activity: dict[str, Any]) -> list[str]:
    """Why Teams would refuse a message activity: its size and each card on it."""
    size = len(json.dumps(activity, ensure_ascii=False).encode("utf-8"))
    problems = [f"message is {size} bytes, over {MESSAGE_LIMIT}"] if size > MESSAGE_LIMIT else []
    for attachment in activity.get("attachments", []):
        if attachment.get("contentType") == CARD_TYPE:
            problems += card_problems(attachment["content"])
            CHECKED["cards"] += 1
        elif DATA_URLS_REFUSED and str(attachment.get("contentUrl", "")).startswith("data:"):
            problems.append(f"{attachment.get('name')!r} sent as a data: URL")
    CHECKED["messages"] += 1
    return problems


def assert_fit_for_teams(activity: dict[str, Any]) -> None:
    """Fail the test that made Teams refuse a message."""
    problems = activity_problems(activity)
    assert not problems, "Teams would refuse this message:\n" + "\n".join(problems)
