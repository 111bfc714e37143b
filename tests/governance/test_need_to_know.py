"""Need to know: every read command, run by people not invited, shows nothing of the meeting.

The forms come from the command table (`reads` on each command), so a new read command is
checked as soon as it declares them. priya chairs a case series in #team with tom; zed chairs
meetings about the same case in #team and #elsewhere; una has no meetings at all. Every word of
priya's meetings is one that occurs nowhere else.
"""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path

import pytest

from commands import catalogue  # noqa: F401 - registers every command
from commands.registry import COMMANDS
from tests.conftest import Console
from tests.support import snapshot

SECRET = (
    "walrus",
    "pelican",
    "marmalade",
    "narwhal",
    "flamingo",
    "okapi",
    "tapioca",
    "axolotl",
    "capybara",
    "quincefield",
    "gazpacho",
)
SEED = [
    "/mdt iam Brighton Adult Social Care as social worker",
    ":as tom",
    "/mdt iam Quincefield Housing as tenancy officer",
    ":as zed",
    "/mdt iam Sussex Police as safeguarding officer",
    ":as una",
    "/mdt help",
    ":as priya",
    "/mdt new Walrus strategy case BH-5521 on 3/2/2027 at 10:00 type strategy every 2 weeks "
    "with @tom",
    "/mdt agenda M1 Pelican crossing",
    ":as tom",
    "/mdt attend M1",
    ":as priya",
    ":clock 2027-02-03T10:00:00+00:00",
    "/mdt start M1",
    "decision: Marmalade plan agreed because the narwhal report says so",
    "action: @tom fix the flamingo rails by 10/2/2027 measure photo of the okapi",
    "action: @priya book the review by 2/2/2027",
    "note: Tapioca joined by phone",
    "/mdt end M1",
    ":as tom",
    "/mdt review M1 keep the axolotl huddle",
    "/mdt review M1 start capybara visits",
    "/mdt escalate D1 the gazpacho evidence was not considered",
    ":as zed",
    "/mdt new Plain case check case BH-5521 on 3/2/2027 at 15:00 type strategy",
    ":in elsewhere",
    "/mdt new Plain elsewhere check case BH-5521 on 3/2/2027 at 16:00",
    ":clock 2027-02-03T15:00:00+00:00",
    ":in team",
    "/mdt start M3",
    "decision: Keep the plain plan because it is plain",
    "/mdt end M3",
    ":clock 2027-02-03T16:00:00+00:00",
    ":in elsewhere",
    "/mdt start M4",
    "/mdt end M4",
    ":in team",
    ":clock 2027-02-03T17:00:00+00:00",
]
MEETINGS = ("M1", "M2", "M3", "M4")  # priya's held meeting, its next occurrence, zed's two
PEOPLE = ("@tom", "@priya", "@zed")
ACTIONS = ("A1", "A2")  # priya's meeting's
DECISIONS = ("D1", "D2")  # priya's meeting's, zed's
OUTSIDERS = (("zed", "team"), ("zed", "elsewhere"), ("una", "team"))
CONTENT_FREE = {"help", "audit"}  # usage, and who changed what when: no words of the records
WITH_READS = sorted(name for name, spec in COMMANDS.items() if spec.reads)


def lines_for(name: str) -> list[str]:
    """Every read form of a command, with each meeting and each person filled in."""
    found = []
    for form in COMMANDS[name].reads:
        choices = {
            "meeting": MEETINGS if "{meeting}" in form else ("",),
            "person": PEOPLE if "{person}" in form else ("",),
            "action": ACTIONS if "{action}" in form else ("",),
            "decision": DECISIONS if "{decision}" in form else ("",),
        }
        for values in product(*choices.values()):
            filled = form.format(**dict(zip(choices, values, strict=True)))
            found.append(f"/mdt {name} {filled}".strip())
    return found


def seen(console: Console, user: str, channel: str, lines: list[str]) -> str:
    """What the user saw running the lines in the channel: replies and the files sent."""
    printed = console(f":as {user}", f":in {channel}", *lines)
    files = [Path(p).read_text() for p in re.findall(r"^\(file: (.*)\)$", printed, re.M)]
    return "\n".join([printed, *files]).lower()


def test_the_command_table_declares_its_read_commands() -> None:
    assert WITH_READS == [
        "actions",
        "agenda",
        "audit",
        "escalations",
        "help",
        "list",
        "minutes",
        "review",
        "show",
    ]


@pytest.mark.parametrize("name", WITH_READS)
def test_outsiders_see_nothing_of_meetings_they_are_not_invited_to(
    console: Console, name: str
) -> None:
    assert "Sorry" not in console(*SEED)
    lines = lines_for(name)
    before = snapshot(console.store)
    for user, channel in OUTSIDERS:
        text = seen(console, user, channel, lines)
        assert "sorry" not in text, text
        leaked = [word for word in SECRET if word in text]
        assert not leaked, f"{user} in #{channel} saw {leaked}:\n{text}"
    assert snapshot(console.store) == before, "reading changed the records"
    if name not in CONTENT_FREE:
        insider = seen(console, "priya", "team", lines)
        assert any(word in insider for word in SECRET), "the chair sees her own meetings"


def test_an_open_review_is_read_in_a_period_review_only_by_its_meetings_chair(
    console: Console,
) -> None:
    invited = [line.replace("with @tom", "with @tom @zed") for line in SEED]
    assert "Sorry" not in console(*invited)
    chair = seen(console, "priya", "team", ["/mdt review period"])
    assert "walrus" in chair
    assert "axolotl" in chair
    assert "plain case check" not in chair, "zed's meeting is not priya's to see"
    zed = seen(console, "zed", "team", ["/mdt review period"])
    assert "walrus" in zed, "zed was invited to M1"
    assert "plain case check" in zed
    assert "axolotl" not in zed, "M1's review is open: only its chair reads it"
    console(":as priya", "/mdt review M1 close")
    zed = seen(console, "zed", "team", ["/mdt review period"])
    assert "axolotl" in zed, "a closed review's summary was posted to the channel"
