"""A property of the record: the minutes of a meeting rendered for a given moment never change,
whatever is done afterwards. Seeded random sequences of later commands, checked after each."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from commands.core import calendar_for
from commands.documents.render import render_document
from commands.record.minutes import minutes_for
from storage.models import Meeting
from tests.conftest import Console
from tests.scenarios import STRATEGY_MEETING

LATER = [
    [":as tom", "/mdt accept A1", ":as priya"],
    [":as tom", "/mdt progress A1 fitter booked", ":as priya"],
    ["/mdt extend A1 to 26/2/2027 because the fitter is off sick"],
    ["/mdt extend A2 to 1/3/2027 because the assessor is away"],
    ["/mdt reassign A2 to @sam"],
    ["/mdt reassign A3 to @max"],
    ["/mdt done A1 rails fitted"],
    ["/mdt cancel A3 agency did not act: no report came"],
    ["/mdt decision M1 The GP is told because the GP prescribes"],
    ["/mdt action M1 @nurse book a joint visit by 26/2/2027"],
    [":as max", "/mdt note M1 The advocate sent a written view", ":as priya"],
    [":as nurse", "/mdt correct M1 The assessment is about money", ":as priya"],
    ["/mdt correct M1 accept 1"],
    ["/mdt correct M1 decline 1 it says that already"],
    ["/mdt approve M1"],
    ["/mdt addendum M1 The advocate confirmed the person was told"],
    [":as tom", "/mdt iam Saxon Housing as housing officer", ":as priya"],
    ["/mdt review M1 keep meeting in person"],
    [":as tom", "/mdt escalate D1 the police view was not heard", ":as priya"],
    [":as tom", "/mdt escalate E1 still no agreement", ":as priya"],
    ["/mdt resolve E1 decision stands: agreed with the line managers"],
]


def rendered_at(console: Console, moment: datetime) -> tuple[str, ...]:
    """The minutes of M1 in every format, as they stand at `moment`."""
    with console.store.transaction(console.session.now) as session:
        meeting = session.scalars(select(Meeting).where(Meeting.number == 1)).one()
        minutes = minutes_for(
            session,
            meeting,
            moment,
            marking="OFFICIAL-SENSITIVE",
            calendar=calendar_for("England and Wales"),
        )
        zone = ZoneInfo("Europe/London")
        return tuple(
            render_document(f"minutes.{fmt}.j2", minutes=minutes, zone=zone)
            for fmt in ("txt", "md", "html")
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_minutes_for_a_moment_never_change(console: Console, seed: int) -> None:
    chance = random.Random(seed)
    console(*STRATEGY_MEETING)
    seen: dict[datetime, tuple[str, ...]] = {}
    for _ in range(10):
        seen[console.session.now] = rendered_at(console, console.session.now)
        hours = chance.randint(1, 30)
        console(f":clock +{hours}h")
        console(*chance.choice(LATER))
        for moment, before in seen.items():
            assert rendered_at(console, moment) == before, moment
    assert len({v[0] for v in seen.values()}) > 1  # the later commands did show up


def test_a_moment_in_between_sees_only_what_was_done_by_then(console: Console) -> None:
    console(*STRATEGY_MEETING, ":clock +1d")
    console("/mdt extend A1 to 26/2/2027 because the fitter is off sick")
    after = console.session.now
    console(":clock +1d", "/mdt reassign A2 to @sam")
    txt = rendered_at(console, after + timedelta(hours=1))[0]
    assert "due date moved from Fri 5 Feb 2027 to Fri 26 Feb 2027" in txt
    assert "reassigned" not in txt
