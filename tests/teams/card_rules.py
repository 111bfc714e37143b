"""What Teams asks of a message: a card valid under Adaptive Cards 1.5, distinct ids, 28 KB.

Every card checked here is also kept (once per distinct card) for Microsoft's `adaptivecards`
JS parser, which reads them all in one Node process when the Teams tests end
(`js_parser_problems`, run by the session fixture in tests/teams/conftest.py).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

from tests.node_tools import node_tools

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
# Every distinct card checked in this process, by its canonical JSON, for the JS parser.
SEEN: dict[str, dict[str, Any]] = {}
# Schema errors by card shape (see `_shape`): a long meeting's cards differ only in their words.
_SCHEMA_ERRORS: dict[str, list[str]] = {}


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


def schema_problems(card: dict[str, Any]) -> list[str]:
    """The card's errors under the Adaptive Cards 1.5 schema (with `msteams` allowed)."""
    shape = json.dumps(_shape(card), sort_keys=True)
    if shape not in _SCHEMA_ERRORS:
        _SCHEMA_ERRORS[shape] = [
            f"{'/'.join(map(str, e.absolute_path)) or 'card'}: {e.message}"
            for e in validator().iter_errors(card)
        ]
    return _SCHEMA_ERRORS[shape]


def _shape(node: Any) -> Any:
    """The card without what the schema leaves free, so one check serves many cards: a
    TextBlock's text (any string), an action's data (any string or object), and repeats in a
    list (the schema checks each item alone; it has no minItems, maxItems or uniqueItems)."""
    if isinstance(node, list):
        unique = {json.dumps(s, sort_keys=True): s for s in map(_shape, node)}
        return list(unique.values())
    if not isinstance(node, dict):
        return node
    shaped = {key: _shape(value) for key, value in node.items()}
    if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
        shaped["text"] = ""
    if str(node.get("type", "")).startswith("Action.") and isinstance(node.get("data"), dict):
        shaped["data"] = {}
    return shaped


def card_problems(card: dict[str, Any]) -> list[str]:
    """Why a card would be refused: schema errors and ids used twice (none if it is fine)."""
    problems = list(schema_problems(card))
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
    """Why Teams would refuse a message activity: its size and each card on it (kept for later)."""
    size = len(json.dumps(activity, ensure_ascii=False).encode("utf-8"))
    problems = [f"message is {size} bytes, over {MESSAGE_LIMIT}"] if size > MESSAGE_LIMIT else []
    for attachment in activity.get("attachments", []):
        if attachment.get("contentType") == CARD_TYPE:
            card = attachment["content"]
            SEEN.setdefault(json.dumps(card, sort_keys=True), card)
            problems += card_problems(card)
            CHECKED["cards"] += 1
        elif DATA_URLS_REFUSED and str(attachment.get("contentUrl", "")).startswith("data:"):
            problems.append(f"{attachment.get('name')!r} sent as a data: URL")
    CHECKED["messages"] += 1
    return problems


def assert_fit_for_teams(activity: dict[str, Any]) -> None:
    """Fail the test that made Teams refuse a message."""
    problems = activity_problems(activity)
    assert not problems, "Teams would refuse this message:\n" + "\n".join(problems)


def js_parser_problems(cards: list[dict[str, Any]]) -> list[list[str]]:
    """What Microsoft's `adaptivecards` JS parser logs for each card (parse and validation).

    One Node process reads the whole batch; an empty list for a card means it parsed clean.
    """
    script = node_tools() / "card_check.mjs"
    result = subprocess.run(
        ["node", str(script)],
        input=json.dumps(cards),
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    )
    found: list[list[str]] = json.loads(result.stdout)
    assert len(found) == len(cards), "the JS parser answers for every card"
    return found


def assert_js_parser_accepts(cards: list[dict[str, Any]]) -> None:
    """Fail when the JS parser logs anything for any of the cards."""
    refused = [
        f"{json.dumps(card)[:300]}\n  " + "\n  ".join(problems)
        for card, problems in zip(cards, js_parser_problems(cards), strict=True)
        if problems
    ]
    head = f"the adaptivecards JS parser refuses {len(refused)} card(s):"
    assert not refused, "\n".join([head, *refused])
