"""What a button does when pressed: its verb's use case, on the record its ref names.

A button (`commands.messages.Button`) carries a verb, the ref of the meeting or action it acts
on and, for some, a fixed choice (`extend A3 agree`, `review M3 keep`, `correct M3 accept 2`);
the words typed into its box come separately. Nothing is read as a command line: a verb that
is not here is refused, so a forged button can only do what some real button does.
"""

from __future__ import annotations

from collections.abc import Callable

from commands.actions.follow_up import (
    accept_action,
    add_progress,
    answer_extension,
    change_due_date,
    complete_action,
)
from commands.context import Context
from commands.language.grammar import first_word
from commands.meetings.attendance import add_agenda_item, apologies_in_words, attend_meeting
from commands.messages import REVIEW_KINDS, Button
from commands.record.lifecycle import answer_correction, approve_minutes
from commands.reviews.review import add_review_item
from storage.models import Action, Meeting

MeetingPress = Callable[[Context, Meeting, str, str], None]
ActionPress = Callable[[Context, Action, str, str], None]


def _extend(ctx: Context, action: Action, choice: str, typed: str) -> None:
    if choice in {"agree", "decline"}:
        answer_extension(ctx, action, agree=choice == "agree", reason=typed)
    else:
        change_due_date(ctx, action, typed)


def _review(ctx: Context, meeting: Meeting, kind: str, typed: str) -> None:
    if kind not in REVIEW_KINDS:
        ctx.fail("unknown_button")
    add_review_item(ctx, meeting, kind, typed)


def _correction(ctx: Context, meeting: Meeting, choice: str, typed: str) -> None:
    verb, number = first_word(choice)
    if verb not in {"accept", "decline"}:
        ctx.fail("unknown_button")
    answer_correction(ctx, meeting, verb, number, typed)


ON_MEETINGS: dict[str, MeetingPress] = {
    "attend": lambda ctx, meeting, _choice, _typed: attend_meeting(ctx, meeting),
    "apologies": lambda ctx, meeting, _choice, typed: apologies_in_words(ctx, meeting, typed),
    "agenda": lambda ctx, meeting, _choice, typed: add_agenda_item(ctx, meeting, typed),
    "review": _review,
    "correct": _correction,
    "approve": lambda ctx, meeting, _choice, _typed: approve_minutes(ctx, meeting),
}
ON_ACTIONS: dict[str, ActionPress] = {
    "accept": lambda ctx, action, _choice, _typed: accept_action(ctx, action),
    "done": lambda ctx, action, _choice, typed: complete_action(ctx, action, typed),
    "progress": lambda ctx, action, _choice, typed: add_progress(ctx, action, typed),
    "extend": _extend,
}


def press(ctx: Context, button: Button, typed: str) -> None:
    """Do what the pressed button does, as the person who pressed it."""
    if button.verb in ON_MEETINGS:
        ON_MEETINGS[button.verb](ctx, ctx.meeting(button.ref), button.arg, typed)
    elif button.verb in ON_ACTIONS:
        ON_ACTIONS[button.verb](ctx, ctx.action(button.ref), button.arg, typed)
    else:
        ctx.fail("unknown_button")
