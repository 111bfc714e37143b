"""Recording a message as a decision or an action, from a platform's message shortcut."""

from __future__ import annotations

from collections.abc import Callable

from commands.actions.record import ACTION_USAGE, action_line
from commands.context import Context
from commands.language.grammar import clean_text
from commands.record.recording import DECISION_USAGE, decision_line
from storage.models import Meeting

LINES: dict[str, tuple[Callable[[Context, Meeting, str], object], str]] = {
    "decision": (decision_line, DECISION_USAGE),
    "action": (action_line, ACTION_USAGE),
}


def record_line(ctx: Context, word: str, meeting_ref: str, text: str) -> None:
    """Record `text` as a decision or an action at the meeting named, or the one running here."""
    line, usage = LINES[word]
    if meeting_ref:
        meeting, rest = ctx.meeting(meeting_ref), clean_text(text)
    else:
        meeting, rest = ctx.meeting_or_running(clean_text(text), usage)
    line(ctx, meeting, rest)
