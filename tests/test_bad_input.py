"""Every command with a missing, extra or garbled argument: a clear reply, and nothing changed."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.console import at_name
from bot.render import Renderer
from commands.context import Context
from commands.core import Core, CoreSettings
from commands.messages import Message, Request, UserRef
from commands.registry import COMMANDS
from storage.db import Store
from storage.models import Decision, Note
from tests.conftest import Console, console_after, played_sqlite
from tests.support import blocks, snapshot

SETUP = [
    "/mdt iam Brighton Adult Social Care as social worker",
    "/mdt new Strategy case AB-1234 on 3/2/2027 at 10:00 type strategy with @tom @sam",
    "/mdt new Discharge planning today at 9:30 with @tom @max",
    ":in ward",
    "/mdt start M2",
    "/mdt action M2 @tom send the care plan to the GP by 10/2/2027 measure copy on file",
    ":in team",
]
LONG_TITLE = "x" * 10_000
BELL = "\x07"


def scenario(console: Console) -> None:
    """M1 scheduled in #team (chair priya; tom and sam invited); M2 running in #ward; A1 tom's."""
    printed = console(*SETUP)
    assert "Action A1 for @tom" in printed
    assert "Sorry" not in printed


def has_example(reply: str) -> bool:
    """The reply shows how to get it right: an example, or a command to type."""
    return "for example" in reply.lower() or "/mdt " in reply


CASES = [
    # new
    ("priya", "/mdt new", "needs a title"),
    ("priya", "/mdt new on 3/2/2027 at 10:00", "needs a title"),
    ("priya", "/mdt new Review on 31/02/2027 at 10:00", "does not exist"),
    ("priya", "/mdt new Review on 30/2 at 10:00", "does not exist"),
    ("priya", "/mdt new Review at 10:00", "When is the meeting?"),
    ("priya", "/mdt new Review tomorrow", "What time does the meeting start?"),
    ("priya", "/mdt new Review tomorrow at 25:00", "not a valid time"),
    ("priya", "/mdt new Review today at 8am", "has already passed"),
    ("priya", "/mdt new Review on 1/1/2027 at 10:00", "has already passed"),
    ("priya", "/mdt new Review tomorrow at 10am for 0m", "more than zero"),
    ("priya", "/mdt new Review tomorrow at 10am with bob", "I don't know who bob is"),
    ("priya", "/mdt new Review tomorrow at 10am type xyz", "no meeting type `xyz`"),
    ("priya", f"/mdt new {LONG_TITLE} tomorrow at 10am", "too long"),
    ("priya", f"/mdt new {'word ' * 60}tomorrow at 10am", "title is too long"),
    ("priya", f"/mdt new Review{BELL} tomorrow at 10am", "control characters"),
    ("priya", "/mdt new Strategy tomorrow at 10am type strategy", "needs their case reference"),
    ("priya", "/mdt new Review case AB-12-XY tomorrow at 10am", "not a case reference"),
    # personal data in free text (section 13)
    ("priya", "/mdt new Visit Mrs Smith tomorrow at 10am", "a person's name"),
    ("priya", "/mdt agenda M1 NHS 943 476 5919 records", "an NHS number"),
    ("priya", "/mdt decision M2 Move her to BN1 1AA", "a postcode"),
    ("priya", "/mdt action M2 @tom ring 07700 900123 by friday", "a phone number"),
    ("tom", "/mdt progress A1 DOB 3/2/1948 confirmed", "a date of birth"),
    ("tom", "/mdt done A1 sent to joan.smith@gmail.com", "a personal email address"),
    ("priya", "/mdt note M2 NI QQ123456C AB123456C", "a National Insurance number"),
    # list, show, minutes
    ("priya", "/mdt list someday", "is not one of"),
    ("priya", "/mdt list mine please", "is not one of"),
    ("priya", "/mdt show", "/mdt show M3"),
    ("priya", "/mdt show M1 M2", "/mdt show M3"),
    ("priya", "/mdt show M99", "There is no meeting M99"),
    ("priya", "/mdt show X1", "`X1` is not a meeting reference."),
    ("priya", "/mdt show D99", "There is no decision D99"),
    # the record: lifecycle, dissent, ratification, handover
    ("priya", "/mdt handover M1", "/mdt handover M3 to @x"),
    ("priya", "/mdt handover M1 to @tom @sam", "/mdt handover M3 to @x"),
    ("priya", "/mdt handover M1 to @priya", "You already chair M1"),
    ("priya", "/mdt invite M1 @jo as chair", "/mdt handover M1 to @name"),
    ("priya", "/mdt approve M1", "has no draft minutes"),
    ("priya", "/mdt approve M1 now", "/mdt approve M3"),
    ("priya", "/mdt addendum M1 The GP called", "are not approved yet"),
    ("tom", "/mdt correct M1 typo in D1", "has no draft minutes"),
    ("priya", "/mdt correct", "/mdt correct M3"),
    ("priya", "/mdt dissent X1 no", "is not a decision reference"),
    ("priya", "/mdt ratify D5", "There is no decision D5"),
    ("priya", "/mdt cancel A1", "Say why A1 is closed undone"),
    ("priya", "/mdt start M1 later", "/mdt start M3 now"),
    ("priya", "/mdt start M1", "booked for Wed 3 Feb 2027 10:00, not today"),
    ("priya", "/mdt where M1", "/mdt where M3 <venue or dial-in>"),
    ("priya", "/mdt where M99 Room 2", "There is no meeting M99"),
    ("priya", "/mdt where M1 ring 07700 900123 to get in", "a phone number"),
    ("priya", f"/mdt where M1 {'room ' * 80}", "The venue is too long"),
    ("priya", f"/mdt where M1 Room{BELL} 2", "control characters"),
    ("priya", "/mdt new Review tomorrow at 10am where ring 07700 900123", "a phone number"),
    ("priya", "/mdt show A99", "There is no action A99"),
    ("priya", "/mdt minutes", "/mdt minutes M3"),
    ("priya", "/mdt minutes M2 pdf", "`pdf` is not one of"),
    ("priya", "/mdt minutes M2 html extra", "/mdt minutes M3"),
    ("priya", "/mdt minutes M99", "There is no meeting M99"),
    # invite, iam
    ("priya", "/mdt invite", "Which meeting?"),
    ("priya", "/mdt invite M99 @jo", "There is no meeting M99"),
    ("priya", "/mdt invite M1", "Who should be invited?"),
    ("priya", "/mdt invite M1 bob", "Who should be invited?"),
    ("priya", "/mdt invite M1 @jo blah", "I could not read `blah`"),
    ("priya", "/mdt invite M1 @jo as", "I could not read `as`"),
    ("priya", "/mdt invite M1 @jo from", "I could not read `from`"),
    ("priya", "/mdt invite M1 @jo from Foo Bar Baz", "Which sector is Foo Bar Baz in?"),
    ("priya", f"/mdt invite M1 @jo as chief{BELL}", "control characters"),
    ("priya", "/mdt iam as nurse", "Which agency?"),
    ("priya", "/mdt iam Foo Bar Baz", "Which sector is Foo Bar Baz in?"),
    ("priya", "/mdt iam Foo sector Bogus", "`Bogus` is not a sector"),
    ("priya", f"/mdt iam {'Saxon Housing ' * 30}", "too long"),
    # agenda, attend, apologies
    ("priya", "/mdt agenda", "Which meeting?"),
    ("priya", "/mdt agenda M99 Risks", "There is no meeting M99"),
    ("priya", f"/mdt agenda M1 Risks{BELL}", "control characters"),
    ("priya", f"/mdt agenda M1 {LONG_TITLE}", "too long"),
    ("tom", "/mdt attend", "Which meeting?"),
    ("tom", "/mdt attend M99", "There is no meeting M99"),
    ("tom", "/mdt attend M1 please", "is not a meeting reference."),
    ("tom", "/mdt apologies", "Which meeting?"),
    ("tom", "/mdt apologies M99 on leave", "There is no meeting M99"),
    ("tom", "/mdt apologies M1 on leave deputy @tom", "Name one other person"),
    ("tom", "/mdt apologies M1 on leave deputy @a @b", "Name one other person"),
    ("tom", "/mdt apologies M1 on leave deputy", "Name one other person"),
    # start, end
    ("priya", "/mdt start", "Which meeting?"),
    ("priya", "/mdt start M99", "There is no meeting M99"),
    ("priya", "/mdt start first", "`first` is not a meeting reference."),
    ("priya", "/mdt end", "No meeting is running in this channel"),
    ("priya", "/mdt end M99", "There is no meeting M99"),
    ("priya", "/mdt end M2 now", "/mdt end M3"),
    # decision, action, note
    ("priya", "/mdt decision", "No meeting is running in this channel"),
    ("priya", "/mdt decision Discharge on Friday", "No meeting is running in this channel"),
    ("priya", "/mdt decision M99 Discharge", "There is no meeting M99"),
    ("priya", "/mdt decision M2", "What was decided?"),
    ("priya", "/mdt decision M2 because it is safe", "What was decided?"),
    ("priya", f"/mdt decision M2 {LONG_TITLE}", "too long"),
    ("priya", f"/mdt decision M2 Discharge{BELL}", "control characters"),
    ("priya", "/mdt action", "No meeting is running in this channel"),
    ("priya", "/mdt action M2", "exactly one owner"),
    ("priya", "/mdt action M2 bob send the plan by friday", "`bob` is not someone I know"),
    ("priya", "/mdt action M2 @tom @sam send the plan by friday", "exactly one owner"),
    ("priya", "/mdt action M2 @tom, @max send the plan by friday", "@tom and @max are named"),
    ("priya", "/mdt action M2 @tom", "What is the action?"),
    ("priya", "/mdt action M2 @tom by friday", "What is the action?"),
    ("priya", "/mdt action M2 @tom send the plan", "needs a due date"),
    ("priya", "/mdt action M2 @tom send the plan by 31/02", "does not exist"),
    ("priya", "/mdt action M2 @tom send the plan by 31/2/2027", "does not exist"),
    ("priya", "/mdt action M2 @tom send the plan by 1/1/2027", "has already passed"),
    ("priya", "/mdt action M2 @tom send the plan by someday", "could not understand"),
    ("priya", "/mdt action M99 @tom send the plan by friday", "There is no meeting M99"),
    ("priya", f"/mdt action M2 @tom send{BELL} the plan by friday", "control characters"),
    ("priya", "/mdt note", "No meeting is running in this channel"),
    ("priya", "/mdt note M2", "/mdt note M3"),
    ("priya", "/mdt note M99 joined by phone", "There is no meeting M99"),
    # move, cancel
    ("priya", "/mdt move", "Which meeting?"),
    ("priya", "/mdt move M99 to friday", "There is no meeting M99"),
    ("priya", "/mdt move M1", "/mdt move M3 to <when>"),
    ("priya", "/mdt move M1 friday", "/mdt move M3 to <when>"),
    ("priya", "/mdt move M1 to", "/mdt move M3 to <when>"),
    ("priya", "/mdt move M1 to 31/02/2027", "does not exist"),
    ("priya", "/mdt move M1 to 1/1/2027", "has already passed"),
    ("priya", "/mdt move M1 to today at 8am", "has already passed"),
    ("priya", "/mdt move M1 to someday", "could not understand"),
    ("priya", "/mdt cancel", "Which meeting?"),
    ("priya", "/mdt cancel M99", "There is no meeting M99"),
    ("priya", f"/mdt cancel M1 moved{BELL}", "control characters"),
    # actions, accept, done, progress
    ("priya", "/mdt actions someone else", "is not one of"),
    ("priya", "/mdt actions M99", "There is no meeting M99"),
    ("tom", "/mdt accept", "Which action?"),
    ("tom", "/mdt accept A99", "There is no action A99"),
    ("tom", "/mdt accept X", "`X` is not an action reference."),
    ("tom", "/mdt accept A1 now", "`A1 now` is not an action reference."),
    ("tom", "/mdt done", "Which action?"),
    ("tom", "/mdt done A99", "There is no action A99"),
    ("tom", "/mdt done M1", "`M1` is not an action reference."),
    ("tom", f"/mdt done A1 sent{BELL}", "control characters"),
    ("tom", "/mdt progress A1", "What progress?"),
    ("tom", "/mdt progress A99 plan drafted", "There is no action A99"),
    # extend, reassign
    ("tom", "/mdt extend A1", "/mdt extend A17 to <when> because <reason>"),
    ("tom", "/mdt extend A1 friday because the GP is away", "/mdt extend A17 to <when>"),
    ("tom", "/mdt extend A1 to friday", "because <reason>"),
    ("tom", "/mdt extend A1 to 31/02 because the GP is away", "does not exist"),
    ("tom", "/mdt extend A1 to 1/1/2027 because the GP is away", "has already passed"),
    ("tom", "/mdt extend A99 to friday because the GP is away", "There is no action A99"),
    ("priya", "/mdt extend A1 decline", "Nobody has asked to extend A1"),
    ("priya", "/mdt extend A1 agree", "Nobody has asked to extend A1"),
    ("priya", "/mdt review M1 strat invite the GP", "Did you mean `start`?"),
    ("priya", "/mdt review peroid from 1/1", "Did you mean `period`?"),
    (
        "priya",
        "/mdt new Strategy case AB-1234 on 3/2/2027 at 10:00 type strategy",
        "already booked",
    ),
    ("priya", "/mdt reassign A1", "/mdt reassign A17 to @x"),
    ("priya", "/mdt reassign A1 @sam", "/mdt reassign A17 to @x"),
    ("priya", "/mdt reassign A1 to bob", "/mdt reassign A17 to @x"),
    ("priya", "/mdt reassign A1 to @a @b", "/mdt reassign A17 to @x"),
    ("priya", "/mdt reassign A1 to @tom", "already with @tom"),
    ("priya", "/mdt reassign A99 to @sam", "There is no action A99"),
    # audit
    ("priya", "/mdt audit", "For example: /mdt audit M3"),
    ("priya", "/mdt audit M1 M2", "For example: /mdt audit M3"),
    ("priya", "/mdt audit X9", "`X9` is not a meeting, action or decision reference"),
    ("priya", "/mdt audit M99", "There is no M99"),
    ("priya", "/mdt audit A99", "There is no A99"),
    # away, back
    ("priya", "/mdt away from 4/1 to 21/12", "would end (Tue 21 Dec 2027) before it starts"),
    ("priya", "/mdt away from 1/3 to 30/9", "is more than 6 months"),
    ("priya", "/mdt away from 1/3 to 3/3 cover @priya", "You cannot cover for yourself"),
    ("priya", "/mdt away from 1/3 to 3/3 cover nobody_known", "I don't know who nobody_known"),
    ("priya", "/mdt away from 1/3 to 3/3 cover @sam @tom", "not quite how it goes"),
    ("priya", "/mdt away from 31/2 to 3/3", "does not exist"),
    ("priya", "/mdt away from 1/3", "not quite how it goes"),
    ("priya", "/mdt away from 1/1/2027 to 2/1/2027", "is already over"),
    ("priya", "/mdt away off", "nothing to cancel"),
    ("priya", "/mdt back", "nothing to cancel"),
    ("priya", "/mdt back soon", "not quite how it goes: /mdt back"),
    # legal hold
    ("priya", "/mdt hold", "For example: /mdt hold case AB-1234"),
    ("priya", "/mdt hold case", "For example: /mdt hold case AB-1234"),
    ("priya", "/mdt hold case AB-12-XY court order", "not a case reference"),
    ("priya", "/mdt hold case AB-1234", "Say why case AB-1234 is to be held"),
    ("priya", "/mdt hold case AB-1234 Mrs Smith complained", "a person's name"),
    ("priya", "/mdt release case AB-1234", "Case AB-1234 is not on legal hold"),
    ("priya", "/mdt release AB-1234", "For example: /mdt release case AB-1234"),
    # help and unknown words
    ("priya", "/mdt help xyzzy", "I don't know `/mdt xyzzy`"),
    ("priya", "/mdt shwo M1", "Did you mean `/mdt show`?"),
]


def _id(case: tuple[str, str, str]) -> str:
    user, line, _ = case
    text = line.replace(LONG_TITLE, "<10000 chars>").replace(BELL, "<BEL>")
    text = re.sub(r"(word ){60}", "<300 chars>", text)
    return f"{user}:{text.removeprefix('/mdt ')}"


def _word(line: str) -> str:
    return line.removeprefix("/mdt ").split(" ", 1)[0]


# Every case on SQLite; on PostgreSQL, the first case of each command word (how a line is read
# does not depend on the database; that a refusal leaves PostgreSQL unchanged is shown per word).
FIRSTS = {_word(line): (user, line) for user, line, _ in reversed(CASES)}
TABLE = [
    pytest.param(db, *case, id=f"{db}-{_id(case)}", marks=[pytest.mark.postgres] * (db != "sqlite"))
    for db in ("sqlite", "postgres")
    for case in CASES
    if db == "sqlite" or FIRSTS[_word(case[1])] == case[:2]
]


@pytest.fixture(scope="session")
def bad_input_played(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Path:
    """The scenario played once into a SQLite file; each SQLite case works on a copy of it."""
    return played_sqlite(tmp_path_factory.mktemp("bad-input"), migrated_sqlite, scenario)


@pytest.fixture
def case_console(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Console]:
    """A console as priya in #team just after the scenario, on the case's database."""
    with console_after(request, tmp_path, "bad_input_played", scenario) as console:
        yield console


@pytest.mark.parametrize(
    ("case_console", "user", "line", "expected"), TABLE, indirect=["case_console"]
)
def test_bad_input_is_explained_and_changes_nothing(
    case_console: Console, user: str, line: str, expected: str
) -> None:
    console = case_console
    console(f":as {user}")
    before = snapshot(console.store)
    printed = console(line)
    found = blocks(printed)
    assert len(found) == 1, printed
    reply = found[0]
    assert reply.startswith(f"[only @{user}] "), reply
    assert expected in reply
    assert has_example(reply), reply
    assert "Sorry" not in reply
    assert "Traceback" not in reply
    assert snapshot(console.store) == before


def test_the_snapshot_sees_a_change(console: Console) -> None:
    scenario(console)
    before = snapshot(console.store)
    console("/mdt agenda M1 Risks at home")
    after = snapshot(console.store)
    assert after != before
    assert len(after["agenda_item"]) == len(before["agenda_item"]) + 1
    assert len(after["audit_entry"]) > len(before["audit_entry"])


def test_a_long_title_is_refused_whole(console: Console) -> None:
    printed = console(f"/mdt new {LONG_TITLE} tomorrow at 10am")
    assert "(10017 characters; at most 2000)" in printed
    assert LONG_TITLE not in printed


# Unexpected errors ------------------------------------------------------------------------------

SECRET = "connection string postgresql://admin:hunter2@db"


def _explode(ctx: Context, args: str) -> None:
    """Save something, then fail in a way nobody planned for."""
    meeting = ctx.meeting("M2")
    ctx.session.add(
        Decision(meeting_id=meeting.id, text=args, author_id=ctx.caller.id, created_at=ctx.now)
    )
    ctx.session.add(
        Note(meeting_id=meeting.id, text=args, author_id=ctx.caller.id, created_at=ctx.now)
    )
    ctx.session.flush()
    raise RuntimeError(SECRET)


@pytest.mark.parametrize(
    ("word", "line"),
    [
        pytest.param("decision", "/mdt decision M2 Discharge on Friday", id="command"),
        pytest.param("decision", "decision: Discharge on Friday", id="captured-line"),
        pytest.param("show", "/mdt show M2", id="read-only-command"),
    ],
)
def test_an_unexpected_error_is_logged_with_a_reference(
    console: Console,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    word: str,
    line: str,
) -> None:
    scenario(console)
    console(":in ward")
    monkeypatch.setitem(COMMANDS, word, replace(COMMANDS[word], handler=_explode))
    before = snapshot(console.store)
    with caplog.at_level(logging.ERROR, logger="commands.core"):
        printed = console(line)
    found = blocks(printed)
    assert len(found) == 1, printed
    reply = found[0]
    assert reply.startswith("[only @priya] Sorry, something went wrong on our side")
    match = re.search(r"quote reference ([0-9A-F]{8})\.", reply)
    assert match, reply
    reference = match.group(1)
    assert SECRET not in reply
    assert "hunter2" not in reply
    assert "RuntimeError" not in reply
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert logged[0].exc_info[0] is RuntimeError
    assert snapshot(console.store) == before
    with console.store.transaction(console.session.now) as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0


def test_each_unexpected_error_has_its_own_reference(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario(console)
    monkeypatch.setitem(COMMANDS, "show", replace(COMMANDS["show"], handler=_explode))
    first = console("/mdt show M2")
    second = console("/mdt show M2")
    references = [re.findall(r"reference ([0-9A-F]{8})", p) for p in (first, second)]
    assert all(len(r) == 1 for r in references)
    assert references[0] != references[1]


class KnownPeople:
    """A platform directory that knows only some people, as Slack or Teams would."""

    def __init__(self, *names: str) -> None:
        self.names = set(names)

    def resolve(self, token: str) -> UserRef | None:
        name = token.removeprefix("@")
        return UserRef(name, name) if token.startswith("@") and name in self.names else None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("invite M1 @ghost", id="invite"),
        pytest.param("new Review tomorrow at 10am with @ghost", id="new-with"),
        pytest.param("apologies M1 on leave deputy @ghost", id="deputy"),
        pytest.param("actions @ghost", id="actions-of"),
        pytest.param("reassign A1 to @ghost", id="reassign"),
        pytest.param("action M2 @ghost send the plan by friday", id="action-owner"),
    ],
)
def test_an_unknown_person_is_named_in_the_reply(store: Store, text: str) -> None:
    core = Core(store, CoreSettings())
    people = KnownPeople("priya", "tom", "sam")
    now = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)

    def run(line: str, user: str = "priya") -> list[Message]:
        request = Request("test", "W1", UserRef(user, user), "team", line, now)
        return core.handle_command(request, people)

    for line in (
        "new Strategy on 3/2/2027 at 10:00 with @tom @sam",
        "new Discharge today at 9:30 with @tom",
        "start M2",
        "action M2 @tom send the care plan by 10/2/2027",
    ):
        assert run(line)[0].template != "errors:unexpected", line
    user = "tom" if text.startswith("apologies") else "priya"
    before = snapshot(store)
    (reply,) = run(text, user)
    assert reply.audience == "private"
    assert reply.template == "errors:unknown_person"
    rendered = Renderer(mention=at_name).render(reply)
    assert rendered.startswith("I don't know who @ghost is.")
    assert has_example(rendered), rendered
    assert snapshot(store) == before
