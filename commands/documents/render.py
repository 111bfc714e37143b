"""Documents rendered from templates as files: minutes in Markdown, plain text and HTML."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import escape

from commands.documents.filters import QuietUndefined, install_filters


@cache
def document_environment() -> Environment:
    """The environment for files: HTML escaped fully, other formats left as written."""
    env = Environment(
        loader=PackageLoader("meeting_templates", ""),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=QuietUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    install_filters(env, mention=at_name, user_text=escape)
    return env


def at_name(person: Any) -> str:
    """`@name` for a person view, a recipient or a plain name."""
    return f"@{getattr(person, 'name', None) or getattr(person, 'display_name', person)}"


def render_document(template: str, **context: Any) -> str:
    """Render one document template."""
    return document_environment().get_template(template).render(**context)
