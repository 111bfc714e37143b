"""A long meeting through Teams (90 decisions, 90 actions): every message fits Teams' 28 KB, and
every card passes the schema, the distinct-id rule and Microsoft's JS parser.

The first decision and action go through the meeting thread as people type them; the other 89 of
each are copies of those rows with words and numbers of their own, so the test stays fast.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.reminders.rows import refresh_reminders
from storage.models import Action, Decision, Workspace
from tests.teams.card_rules import CARD_TYPE, MESSAGE_LIMIT, assert_js_parser_accepts
from tests.teams.conftest import BOOKED, Teams, mention
from tests.teams.fake_teams import CHANNEL, PRIYA, TOM

ITEMS = 90
COLUMNS_NOT_COPIED = {"id", "number", "source_channel", "source_message_id"}


def _decision(n: int) -> str:
    return (
        f"Option {n} for the care package is agreed because the review of "
        f"needs number {n} found it meets the eligible outcomes"
    )


def _action(n: int) -> str:
    return f"arrange the follow-up visit number {n} for the adaptations"


def _copies(session: Session, now: datetime) -> None:
    """Decisions and actions 2..90: the first of each, copied with their own words and numbers."""
    decision = session.scalars(select(Decision)).one()
    action = session.scalars(select(Action)).one()
    workspace = session.get(Workspace, action.workspace_id)
    assert workspace is not None

    def fields(row: Decision | Action) -> dict[str, object]:
        columns = row.__table__.columns.keys()
        return {c: getattr(row, c) for c in columns if c not in COLUMNS_NOT_COPIED}

    for n in range(2, ITEMS + 1):
        session.add(Decision(**{**fields(decision), "text": _decision(n)}))
        number = workspace.next_action_number
        workspace.next_action_number = number + 1
        copy = Action(
            **{
                **fields(action),
                "number": number,
                "description": _action(n),
                "measure": f"visit {n} logged in the case record",
            }
        )
        session.add(copy)
        session.flush()
        refresh_reminders(session, copy, now)


def _cards(teams: Teams) -> list[dict[str, object]]:
    return [
        a["content"]
        for s in teams.fake.sent
        for a in s.activity.get("attachments", [])
        if a["contentType"] == CARD_TYPE
    ]


def test_a_long_meeting_makes_no_message_teams_would_refuse(teams: Teams) -> None:
    at_tom, tom_entity = mention(TOM)
    teams.command(
        PRIYA,
        f"new Discharge planning case BH-5521 on 4/2/2027 at 10:00 with {at_tom}",
        entities=[tom_entity],
    )
    teams.clock.now = BOOKED
    teams.command(PRIYA, "start M1")
    thread = next(s for s in teams.fake.sent if "M1 has started" in s.text()).id
    teams.say(PRIYA, f"decision: {_decision(1)}", thread=thread)
    teams.say(
        PRIYA,
        f"action: {at_tom} {_action(1)} by 10/2/2027 measure visit 1 logged in the case record",
        thread=thread,
        entities=[tom_entity],
    )
    with teams.store.transaction(teams.clock.now) as session:
        _copies(session, teams.clock.now)
    replies = []
    for line in ("show M1", "actions M1", "agenda M1"):
        _, reply = teams.command(PRIYA, line)
        replies.append(reply)
    _, mine = teams.command(TOM, "actions mine")
    replies.append(mine)
    for fmt in ("txt", "md", "html"):
        teams.command(PRIYA, f"minutes M1 {fmt}")
    teams.command(PRIYA, "end", thread=thread)

    sizes = [len(json.dumps(s.activity, ensure_ascii=False).encode()) for s in teams.fake.sent]
    assert max(sizes) <= MESSAGE_LIMIT  # the fake refuses any larger; this says so plainly
    cards = _cards(teams) + [r["value"] for r in replies if r and r.get("type") == CARD_TYPE]
    assert len(cards) > 20
    assert_js_parser_accepts(cards)

    posted = [s for s in teams.fake.to(CHANNEL) if s.reply_to == thread]
    minutes = "\n".join(s.text() for s in posted if "Option" in s.text() and "Minutes" in s.text())
    assert minutes, "the minutes are posted"
    words = "\n".join(s.text() for s in posted)
    assert "Option 90 for the care package" in words, "the last part is posted too"
    assert "follow-up visit number 90" in words
    mine_texts = [s.text() for s in teams.fake.to(f"a:personal-{PRIYA.teams_id}")]
    assert any("Option 90 for the care package" in t for t in mine_texts), "text minutes in parts"
    assert any("M1-minutes.md, as text" in t for t in mine_texts)
    assert any("M1-minutes.html is a web page" in t for t in mine_texts)
    parts = [s for s in posted if s.text().count("Option") > 1]
    assert len(parts) > 1, "the minutes were long enough to need more than one message"
