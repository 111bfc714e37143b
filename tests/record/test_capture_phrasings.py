"""What a chair types in a running meeting: recorded, answered with a "did you mean", or left be."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commands.record.capture import distance, read_line
from storage.models import Action, Decision, Note
from tests.conftest import Console
from tests.support import blocks, reading, snapshot

# Lines recorded as they stand: (line, command it runs, its text).
CAPTURES = [
    ("decision: refer to MASH", "decision", "refer to MASH"),
    ("Decision: refer to MASH", "decision", "refer to MASH"),
    ("DECISION : refer to MASH", "decision", "refer to MASH"),
    ("Decision - refer to MASH", "decision", "refer to MASH"),
    ("Decision \u2013 refer to MASH", "decision", "refer to MASH"),
    ("Decisions: refer to MASH", "decision", "refer to MASH"),
    ("decision made: refer to MASH", "decision", "refer to MASH"),
    ("agreed: refer to MASH", "decision", "refer to MASH"),
    ("Agreed - refer to MASH", "decision", "refer to MASH"),
    ("*Decision:* refer to MASH", "decision", "refer to MASH"),
    ("- decision: refer to MASH", "decision", "refer to MASH"),
    ("1. decision: refer to MASH", "decision", "refer to MASH"),
    ("action: @tom do x by fri", "action", "@tom do x by fri"),
    ("action @tom do x by fri", "action", "@tom do x by fri"),
    ("Action for @tom do x by fri", "action", "@tom do x by fri"),
    ("Actions: @tom do x by fri", "action", "@tom do x by fri"),
    ("ACTIONS - @tom do x by fri", "action", "@tom do x by fri"),
    ("Action point: @tom do x by fri", "action", "@tom do x by fri"),
    ("task: @tom do x by fri", "action", "@tom do x by fri"),
    ("agenda: the tenancy", "agenda", "the tenancy"),
    ("Agenda item: the tenancy", "agenda", "the tenancy"),
    ("note: joined by phone", "note", "joined by phone"),
    ("Notes: joined by phone", "note", "joined by phone"),
    ("Note - joined by phone", "note", "joined by phone"),
]

# Near misses: (line, the word suggested). Misspellings up to two edits away (one for `note`).
MISSPELT = {
    "decision": ["decison", "desicion", "decsion", "decisoin", "descision", "decission",
                 "dicision", "decisio", "decisn", "dcision", "deciison", "Decisons"],
    "agreed": ["agred", "agreeed", "agrede", "aggreed", "agre", "agree", "agrreed"],
    "action": ["acton", "actoin", "aciton", "actin", "actio", "actionn", "axtion", "Actons"],
    "agenda": ["agnda", "agneda", "ageda", "agendaa", "agemda", "agnedas"],
    "note": ["nte", "noet", "ntoe", "nore", "nots"],
}  # fmt: skip
HINTS = [(f"{typo}: refer to MASH", word) for word, typos in MISSPELT.items() for typo in typos]
HINTS += [
    ("Agreed that we refer to MASH", "decision"),
    ("agreed on a referral to MASH", "decision"),
    ("decision to refer to MASH", "decision"),
    ("Decision refer to MASH", "decision"),
    ("acton @tom do x by fri", "action"),
]

# Ordinary chat in a meeting: nothing recorded, nothing said.
CHAT = [
    "hello everyone",
    "Agreed.",
    "Agreed, thanks",
    "agreed",
    "Decision?",
    "Decision on the flat is pending",
    "The decision is right",
    "Noted, thanks",
    "noted: thanks",
    "date: friday",
    "time: 10:00",
    "vote: yes",
    "done: the referral",
    "update: GP called back",
    "question: who has the key?",
    "action stations",
    "the action plan is late",
    "Actions speak louder than words",
    "note to self",
    "Note that the GP is away",
    "Agenda looks long today",
    "decision:",
    "action:",
    "agency: Saxon Housing",
    "option: a second visit",
    "section: 42",
    "a: b",
    "",
]


@pytest.mark.parametrize(("line", "command", "text"), CAPTURES, ids=[c[0] for c in CAPTURES])
def test_capture_forms_are_read(line: str, command: str, text: str) -> None:
    found = read_line(line)
    assert found is not None
    assert (found.kind, found.command, found.text) == ("capture", command, text)


@pytest.mark.parametrize(("line", "word"), HINTS, ids=[h[0] for h in HINTS])
def test_near_misses_get_a_did_you_mean(line: str, word: str) -> None:
    found = read_line(line)
    assert found is not None
    assert found.kind == "hint"
    assert found.command == {"agreed": "decision"}.get(word, word)


@pytest.mark.parametrize("line", CHAT, ids=[c or "(empty)" for c in CHAT])
def test_ordinary_chat_is_left_alone(line: str) -> None:
    assert read_line(line) is None


def test_misspellings_are_within_two_edits() -> None:
    for word, typos in MISSPELT.items():
        for typo in typos:
            assert (
                distance(typo.lower().removesuffix("s"), word) <= 2
                or distance(typo.lower(), word) <= 2
            ), typo


def test_refs_before_or_after_the_word_name_the_meeting() -> None:
    for line in ("M4: decision: refer", "decision M4: refer", "m4 decision: refer"):
        found = read_line(line)
        assert found is not None
        assert found.ref is not None
        assert (found.kind, found.ref.upper(), found.text) == ("capture", "M4", "refer")


SETUP = [
    "/mdt new Strategy today at 10:00 with @tom @max",
    "/mdt invite M1 @max as minute-taker",
    "/mdt start M1",
]


def counts(console: Console) -> tuple[int, int, int]:
    with reading(console) as session:
        return (
            session.scalar(select(func.count()).select_from(Decision)) or 0,
            session.scalar(select(func.count()).select_from(Action)) or 0,
            session.scalar(select(func.count()).select_from(Note)) or 0,
        )


@pytest.mark.parametrize(
    ("line", "recorded"),
    [
        ("Decision - refer to MASH", (1, 0, 0)),
        ("Decisions: refer to MASH because the risk is high", (1, 0, 0)),
        ("action @tom book the OT visit by friday", (0, 1, 0)),
        ("Actions: @tom book the OT visit by friday", (0, 1, 0)),
        ("Notes: joined by phone", (0, 0, 1)),
    ],
)
def test_console_records_the_clear_forms(console: Console, line: str, recorded: tuple) -> None:
    console(*SETUP)
    printed = console(line)
    assert printed.startswith("[#team] ")
    assert counts(console) == recorded


@pytest.mark.parametrize(
    ("line", "suggestion"),
    [
        (
            "decison: the bank will be asked to freeze the joint account",
            "decision: the bank will be asked to freeze the joint account",
        ),
        ("Agreed that we refer to MASH", "decision: we refer to MASH"),
        ("acton @tom do x by fri", "action: @tom do x by fri"),
        ("notw: joined by phone", "note: joined by phone"),
    ],
)
def test_console_near_miss_is_answered_privately(
    console: Console, line: str, suggestion: str
) -> None:
    console(*SETUP)
    before = snapshot(console.store)
    printed = console(line)
    assert blocks(printed) == [
        f"[only @priya] Did you mean `{suggestion.split(':', maxsplit=1)[0]}:`? "
        "Nothing was recorded. "
        f"To record it, type:\n{suggestion}"
    ]
    assert snapshot(console.store) == before


def test_console_chat_gets_nothing(console: Console) -> None:
    console(*SETUP)
    before = snapshot(console.store)
    assert console(*CHAT[:-1]) == ""
    assert snapshot(console.store) == before


def test_near_miss_with_no_meeting_is_silent(console: Console) -> None:
    console("/mdt new Strategy on 3/2/2027 at 10:00 with @tom")
    assert console("decison: x y", "decision: x y") == ""


def test_capture_after_the_end_says_how_to_add_it(console: Console) -> None:
    console(*SETUP, "/mdt end M1")
    before = snapshot(console.store)
    printed = console("decision: the bank will be asked to freeze the joint account")
    assert blocks(printed) == [
        "[only @priya] M1 has ended, so nothing was recorded. `/mdt decision M1 the bank will "
        "be asked to freeze the joint account` adds it, marked as recorded after the meeting."
    ]
    printed = console("decison: x y", "action: @tom do x by friday", "agenda: next time")
    assert [b.split(",")[0] for b in blocks(printed)] == ["[only @priya] M1 has ended"] * 3
    assert "`/mdt action M1 @tom do x by friday`" in printed
    assert "/mdt agenda <ref> next time" in printed
    assert snapshot(console.store) == before
    assert "Decision D1 recorded in M1" in console("/mdt decision M1 the bank will be asked")


def test_two_running_meetings_ask_which(console: Console) -> None:
    console(*SETUP, "/mdt new Other today at 9:30 with @tom", "/mdt start M2")
    before = snapshot(console.store)
    printed = console("decision: refer to MASH")
    assert blocks(printed) == [
        "[only @priya] M1 and M2 are running in this channel, so nothing was recorded. "
        "Say which meeting, for example:\ndecision M2: refer to MASH"
    ]
    printed = console("/mdt decision refer to MASH")
    assert "M1 and M2 are running in this channel" in printed
    assert "/mdt decision M2 <text>" in printed
    assert snapshot(console.store) == before
    printed = console(
        "decision M2: refer to MASH",
        "M1: decision: visit at home",
        "/mdt decision M2: ask the GP",
        "m1: action: @tom do x by friday",
    )
    assert "Decision D1 recorded in M2: refer to MASH" in printed
    assert "Decision D2 recorded in M1: visit at home" in printed
    assert "Decision D3 recorded in M2: ask the GP" in printed
    assert "Action A1 for @tom" in printed
    assert counts(console) == (3, 1, 0)


@pytest.mark.parametrize(
    "line",
    [
        "/mdt action M1 @ps_wood and @priya do a joint visit by friday",
        "/mdt action M1 @ps_wood, @priya do a joint visit by friday",
        "/mdt action M1 @ps_wood & @priya do a joint visit by friday",
        "/mdt action M1 @ps_wood/@priya do a joint visit by friday",
        "/mdt action M1 @ps_wood @priya do a joint visit by friday",
        "action: @ps_wood and @priya do a joint visit by friday",
    ],
)
def test_an_action_has_one_owner(console: Console, line: str) -> None:
    console(*SETUP)
    before = snapshot(console.store)
    printed = console(line)
    assert "An action has exactly one owner, but @ps_wood and @priya are named." in printed
    assert snapshot(console.store) == before


@pytest.mark.parametrize(
    ("line", "text", "due"),
    [
        ("@kate book the next meeting for next tues", "book the next meeting", "Tue 9 Feb 2027"),
        ("@kate book the next meeting for friday", "book the next meeting", "Fri 5 Feb 2027"),
        ("@kate book a room for the family by friday", "book a room for the family", "Fri 5 Feb"),
        ("@kate send the plan for the GP on 10/2/2027", "send the plan for the GP", "Wed 10 Feb"),
    ],
)
def test_a_date_after_for_is_the_due_date(console: Console, line: str, text: str, due: str) -> None:
    console(*SETUP)
    printed = console(f"action: {line}")
    assert f"due {due}" in printed
    assert f": {text}." in printed


@pytest.mark.parametrize(
    "line",
    [
        "action: @kate book the next meeting",
        "action: @kate book a room for the family",
        "/mdt action M1 @kate book the next meeting",
    ],
)
def test_an_action_without_a_due_date_is_refused(console: Console, line: str) -> None:
    console(*SETUP)
    before = snapshot(console.store)
    printed = console(line)
    assert "An action needs a due date: add `by <date>`." in printed
    assert "For example: /mdt action" in printed
    assert "could not understand" not in printed
    assert snapshot(console.store) == before


@pytest.mark.parametrize(
    "line",
    [
        "/mdt new Strategy on 3/2/2027 at 10:00 with @tom, @ps_wood and @kate",
        "/mdt new Strategy on 3/2/2027 at 10:00 with @tom,@ps_wood & @kate",
        "/mdt new Strategy on 3/2/2027 at 10:00 with @tom ps_wood kate",
        "/mdt new Strategy on 3/2/2027 at 10:00 with @Tom @PS_Wood and Kate",
    ],
)
def test_people_in_a_list_with_and_commas_and_bare_names(console: Console, line: str) -> None:
    console(":as ps_wood", "/mdt iam Sussex Police", ":as kate", "/mdt iam Saxon Housing")
    printed = console(":as priya", line)
    assert "Invited: @tom, @ps_wood and @kate." in printed


def test_bare_names_of_known_people_work_everywhere(console: Console) -> None:
    console(":as amy_advocate", "/mdt iam Advocacy Matters as advocate")
    console(":as care_manager2", "/mdt iam Brighton Adult Social Care")
    console(":as ps_wood", "/mdt iam Sussex Police")
    printed = console(
        ":as priya",
        "/mdt new Strategy today at 10:00 with @tom amy_advocate",
        ":as tom",
        "/mdt apologies M1 on leave deputy ps_wood",
        ":as priya",
        "/mdt start M1",
        "action: @tom do x by friday",
        "/mdt reassign A1 to care_manager2",
    )
    assert "Invited: @tom and @amy_advocate." in printed
    assert "@ps_wood is asked to attend as your deputy." in printed
    assert "A1 moved from @tom to @care_manager2" in printed


def test_an_unknown_bare_name_says_to_use_at(console: Console) -> None:
    printed = console("/mdt new Strategy on 3/2/2027 at 10:00 with @tom nobody_yet")
    assert "I don't know who nobody_yet is: name people with @, for example @nobody_yet." in printed


def test_console_names_are_one_person_whatever_the_case(console: Console) -> None:
    printed = console("/mdt new Strategy on 3/2/2027 at 10:00 with @Tom @tom @TOM")
    assert "Invited: @tom. " in printed
    printed = console(":as Tom", "/mdt attend M1")
    assert printed.startswith("[only @tom] ")


def test_the_same_meeting_twice_is_refused_unless_again(console: Console) -> None:
    line = "/mdt new Strategy case AB-1234 on 3/2/2027 at 10:00 type strategy with @tom"
    console(line)
    before = snapshot(console.store)
    printed = console(line)
    assert blocks(printed) == [
        "[only @priya] M1 Strategy (case AB-1234) is already booked for Wed 3 Feb 2027 10:00, "
        "so nothing new was booked; `/mdt show M1` shows it. To book another one at the same "
        f"time anyway, end the line with `again`: {line} again"
    ]
    assert snapshot(console.store) == before
    assert "already booked" in console(line.replace("Strategy case", "Other title case"))
    assert "M2 Strategy" in console(f"{line} again")
    assert "M3 Strategy" in console(line.replace("10:00", "11:00"))
    assert "M4 Review" in console("/mdt new Review on 3/2/2027 at 10:00")
