"""Every template a message can name exists: a mistyped key fails here, not as an empty reply."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

import pytest

from bot.render import Renderer, UnknownTemplateError, template_file, template_files, template_keys
from commands.messages import BUTTON_PROMPTS, Message
from commands.reminders.policy import Kind

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("bot", "commands") for p in (ROOT / folder).rglob("*.py"))
NAMED = re.compile(r"^([a-z_]+):([a-z0-9_]+)$")
FAILS = frozenset({"fail", "CommandError", "refuse"})


def _named_templates() -> list[tuple[str, str]]:
    """(place, template) for each `file:key` string in the code, and each error a command raises."""
    files = {name.removesuffix(".j2") for name in template_files()}
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        place = str(path.relative_to(ROOT))
        parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in parts
            ):
                match = NAMED.match(node.value)
                if match and match.group(1) in files:
                    found.append((f"{place}:{node.lineno}", node.value))
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                first = node.args[0]
                if name in FAILS and isinstance(first, ast.Constant):
                    error = str(first.value)  # `file:key` names a feature's own mistake
                    named = error if ":" in error else f"errors:{error}"
                    found.append((f"{place}:{node.lineno}", named))
    return found


# Names that are a message's tag, not a template of their own, and what renders them instead.
TAGS = {"links:minutes": "email.j2 `minutes`, by bot/email/compose.py (email only)"}
NAMED_TEMPLATES = [(p, t) for p, t in _named_templates() if t not in TAGS]


def test_the_scan_sees_the_templates_the_code_names() -> None:
    named = {template for _, template in NAMED_TEMPLATES}
    assert {"record:action", "errors:action_needs_due", "buttons:agenda"} <= named
    assert len(named) > 100


def test_every_template_the_code_names_exists() -> None:
    missing = []
    for place, template in NAMED_TEMPLATES:
        try:
            template_file(template)
        except UnknownTemplateError:
            missing.append(f"{place} {template}")
    assert missing == []


def test_templates_named_by_a_variable_exist() -> None:
    for kind in get_args(Kind):
        template_file(f"reminders:{kind}")
    for prompt in BUTTON_PROMPTS.values():
        template_file(prompt.label)


@pytest.mark.parametrize(
    "template", ["record:actoin", "recrod:action", "record", "minutes.txt.j2:x"]
)
def test_an_unknown_template_raises(template: str) -> None:
    message = Message(audience="private", template=template, context={}, zone="UTC")
    with pytest.raises(UnknownTemplateError):
        Renderer(mention=str).render(message)


def test_a_file_lists_its_keys() -> None:
    assert {"action", "decision", "note"} <= template_keys("record.j2")
    assert template_keys("minutes.txt.j2") == frozenset()
