"""Turns platform-free messages into text, with each platform's way of writing mentions.

A message names its template as `file:key` (`record:action`): the file is one of
meeting_templates/, the key one branch of the file's top-level `{% if message == "..." %}`
chain. A key the file does not have raises `UnknownTemplateError`: no text silently vanishes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, nodes

from commands.documents.filters import QuietUndefined, install_filters
from commands.messages import Message

BLANK_RUNS = re.compile(r"\n{3,}")
TEMPLATES = PackageLoader("meeting_templates", "")


class UnknownTemplateError(LookupError):
    """A message names a template file or key that does not exist."""


def tidy(text: str) -> str:
    """Trailing spaces off each line, at most one blank line in a row, no blank ends."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return BLANK_RUNS.sub("\n\n", "\n".join(lines))


def _keys_tested(test: nodes.Node) -> set[str]:
    """The keys an `if` tests `message` against: `== "x"`, `in ("x", "y")`, joined by `or`."""
    if isinstance(test, nodes.Or):
        return _keys_tested(test.left) | _keys_tested(test.right)
    if not (isinstance(test, nodes.Compare) and isinstance(test.expr, nodes.Name)):
        return set()
    if test.expr.name != "message" or len(test.ops) != 1:
        return set()
    operand = test.ops[0]
    if operand.op == "eq" and isinstance(operand.expr, nodes.Const):
        return {str(operand.expr.value)}
    if operand.op == "in" and isinstance(operand.expr, nodes.Tuple | nodes.List):
        return {str(item.value) for item in operand.expr.items if isinstance(item, nodes.Const)}
    return set()


@cache
def template_keys(file: str) -> frozenset[str]:
    """The keys a template file answers; empty for a file that is one text (the minutes)."""
    env = Environment(loader=TEMPLATES, autoescape=True)
    source, _, _ = TEMPLATES.get_source(env, file)
    keys: set[str] = set()
    for node in env.parse(source).body:
        chain: list[nodes.If] = [node] if isinstance(node, nodes.If) else []
        while chain:
            branch = chain.pop()
            keys |= _keys_tested(branch.test)
            chain += [b for b in branch.elif_ if isinstance(b, nodes.If)]
    return frozenset(keys)


@cache
def template_files() -> frozenset[str]:
    """Every template file."""
    return frozenset(TEMPLATES.list_templates())


def template_file(template: str) -> tuple[str, str]:
    """The file and key a template name means; `UnknownTemplateError` when either is not."""
    name, _, key = template.partition(":")
    file = name if name.endswith(".j2") else f"{name}.j2"
    if file not in template_files():
        raise UnknownTemplateError(f"no template file {file}")
    if key not in template_keys(file) and (key or template_keys(file)):
        raise UnknownTemplateError(f"no template {template}")
    return file, key


class Renderer:
    """Renders messages for one platform."""

    def __init__(
        self, mention: Callable[[Any], str], finalize: Callable[[Any], Any] | None = None
    ) -> None:
        self.env = Environment(
            loader=TEMPLATES,
            undefined=QuietUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # noqa: S701 - chat text, escaped per platform by `finalize`
            finalize=finalize,
        )
        install_filters(self.env, mention)

    def render(self, message: Message) -> str:
        """The text of a message, in the zone it is addressed to."""
        file, key = template_file(message.template)
        template = self.env.get_template(file)
        return tidy(template.render(**message.context, message=key, zone=ZoneInfo(message.zone)))
