"""Teams with the database down: 200 and the words to the person, never a 500."""

from __future__ import annotations

from tests.closed_port import down_store
from tests.teams.conftest import make_teams
from tests.teams.fake_teams import CHANNEL, PRIYA, FakeTeams

WORDS = "I can't reach the records just now; nothing was saved. Please try again in a few minutes."


def test_messages_and_buttons_are_answered_in_words(fake: FakeTeams) -> None:
    teams = make_teams(down_store(), fake)
    status, body = teams.command(PRIYA, "new Review on 4/2/2027 at 10:00")
    assert (status, body) == (200, None)
    [sent] = fake.to(CHANNEL)
    assert sent.text() == WORDS

    status, body = teams.command(PRIYA, "list", thread="1700000000000", conversation=CHANNEL)
    assert status == 200
    assert fake.sent[-1].reply_to == "1700000000000", "answered in the thread it came from"
    assert fake.sent[-1].text() == WORDS

    status, body = teams.press(PRIYA, {"verb": "mdt", "command": "attend M1"})
    assert status == 200
    assert body is not None
    assert body["value"]["body"][0]["text"] == WORDS
