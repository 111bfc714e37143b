"""A long meeting through Teams: every message it makes fits Teams' 28 KB, cards split in parts."""

from __future__ import annotations

import json

from tests.teams.card_rules import MESSAGE_LIMIT
from tests.teams.conftest import Teams, mention
from tests.teams.fake_teams import CHANNEL, PRIYA, TOM

ITEMS = 90


def test_a_long_meeting_makes_no_message_teams_would_refuse(teams: Teams) -> None:
    at_tom, tom_entity = mention(TOM)
    teams.command(
        PRIYA,
        f"new Discharge planning case BH-5521 on 4/2/2027 at 10:00 with {at_tom}",
        entities=[tom_entity],
    )
    teams.command(PRIYA, "start M1")
    thread = next(s for s in teams.fake.sent if "M1 has started" in s.text()).id
    for n in range(1, ITEMS + 1):
        teams.say(
            PRIYA,
            f"decision: Option {n} for the care package is agreed because the review of "
            f"needs number {n} found it meets the eligible outcomes",
            thread=thread,
        )
        teams.say(
            PRIYA,
            f"action: {at_tom} arrange the follow-up visit number {n} for the adaptations "
            f"by 10/2/2027 measure visit {n} logged in the case record",
            thread=thread,
            entities=[tom_entity],
        )
    for fmt in ("txt", "md", "html"):
        teams.command(PRIYA, f"minutes M1 {fmt}")
    teams.command(PRIYA, "end", thread=thread)
    sizes = [len(json.dumps(s.activity, ensure_ascii=False).encode()) for s in teams.fake.sent]
    assert max(sizes) <= MESSAGE_LIMIT  # the fake refuses any larger; this says so plainly
    posted = [s for s in teams.fake.to(CHANNEL) if s.reply_to == thread]
    minutes = "\n".join(s.text() for s in posted if "Option" in s.text() and "Minutes" in s.text())
    assert minutes, "the minutes are posted"
    words = "\n".join(s.text() for s in posted)
    assert "Option 90 for the care package" in words, "the last part is posted too"
    assert "follow-up visit number 90" in words
    mine = [s.text() for s in teams.fake.to(f"a:personal-{PRIYA.teams_id}")]
    assert any("Option 90 for the care package" in t for t in mine), "text minutes in parts"
    assert any("M1-minutes.md, as text" in t for t in mine)
    assert any("M1-minutes.html is a web page" in t for t in mine)
    parts = [s for s in posted if s.text().count("Option") > 1]
    assert len(parts) > 1, "the minutes were long enough to need more than one message"
