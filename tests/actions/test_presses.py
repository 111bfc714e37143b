"""Buttons do their verb's use case on the record they name; a forged button does nothing."""

from __future__ import annotations

import io

import pytest

from bot.console import WORKSPACE, ConsoleDirectory, format_block
from commands.messages import Request, UserRef
from tests.conftest import Console
from tests.support import snapshot

SETUP = [
    "/mdt new Strategy case AB-1234 on 3/2/2027 at 10:00 with @tom @sam",
    ":clock 2027-02-03T10:00:00+00:00",
    "/mdt start M1",
    "/mdt action M1 @tom send the care plan to the GP by 10/2/2027 measure copy on file",
]


def press(console: Console, user: str, value: str, typed: str = "") -> str:
    """Press a button with this platform value as `user`; what the bot says, as printed."""
    session = console.session
    request = Request(
        platform="console",
        workspace=WORKSPACE,
        user=UserRef(user, user),
        channel=session.channel,
        text="",
        now=session.now,
    )
    messages = console.core.handle_button(request, ConsoleDirectory({}), value, typed)
    out = io.StringIO()
    for message in messages:
        out.write(format_block(message, session.renderer.render(message), session.channel, []))
        out.write("\n")
    return out.getvalue()


def test_each_button_does_what_its_command_does(console: Console) -> None:
    console(*SETUP)
    assert "You have accepted A1" in press(console, "tom", "accept A1")
    assert "Progress noted on A1: plan drafted" in press(
        console, "tom", "progress A1", "plan drafted"
    )
    asked = press(console, "tom", "extend A1", "to 12/2/2027 because the GP is away")
    assert "You asked for A1 to move to Fri 12 Feb 2027." in asked
    assert "A1 now due Fri 12 Feb 2027" in press(console, "priya", "extend A1 agree")
    assert "Added to the agenda of M1: Risks at home" in press(
        console, "sam", "agenda M1", "Risks at home"
    )
    assert "A1 is done" in press(console, "tom", "done A1", "sent by secure email")


@pytest.mark.parametrize(
    "value",
    ["cancel M1", "end M1", "review M1 close", "correct M1 delete 1", "attend", "help"],
)
def test_a_button_no_real_button_carries_changes_nothing(console: Console, value: str) -> None:
    console(*SETUP)
    before = snapshot(console.store)
    printed = press(console, "priya", value)
    assert printed.startswith("[only @priya] That button is not one I know"), printed
    assert snapshot(console.store) == before


def test_a_button_is_refused_as_its_command_would_be(console: Console) -> None:
    console(*SETUP)
    before = snapshot(console.store)
    printed = press(console, "sam", "done A1", "finished")
    assert printed.startswith("[only @sam] Only @tom (who owns A1) or the chair, @priya"), printed
    assert snapshot(console.store) == before


def test_the_words_typed_into_a_button_box_are_checked_for_personal_data(
    console: Console,
) -> None:
    console(*SETUP)
    before = snapshot(console.store)
    printed = press(console, "tom", "progress A1", "rang her on 07700 900123")
    assert "phone" in printed, printed
    assert "07700" not in printed
    assert snapshot(console.store) == before
