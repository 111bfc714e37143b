"""Reviews and series: refusals that change nothing, the clock's close, intervals and carrying."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commands.meetings.series import next_start
from commands.reviews.meeting_review import close_due_reviews
from storage.db import Store
from storage.models import Action, AgendaItem, Meeting, Review, ReviewItem
from tests.conftest import Console
from tests.scenarios import DISCHARGE_ENDED, DISCHARGE_MEETING


def count(console: Console, model: type) -> int:
    with console.store.transaction(console.session.now) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def counts(console: Console) -> tuple[int, ...]:
    return tuple(count(console, m) for m in (Meeting, AgendaItem, Action, Review, ReviewItem))


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment


@pytest.mark.parametrize(
    "line",
    [
        "/mdt new Weekly check on 4/2/2027 at 10:00 every fortnightish",
        "/mdt new Weekly check every fortnightish on 4/2/2027 at 10:00",
        "/mdt new Weekly check every 60 weeks on 4/2/2027 at 10:00",
        "/mdt new Weekly check on 4/2/2027 at 10:00 every quarter with @tom",
    ],
    ids=["at-end", "in-title", "out-of-range", "before-with"],
)
def test_an_interval_not_understood_is_refused_with_examples(console: Console, line: str) -> None:
    printed = console(line)
    assert printed.startswith("[only @priya] ")
    assert "every week, every 2 weeks, fortnightly, every 4 weeks, monthly" in printed
    assert "For example: /mdt new" in printed
    assert count(console, Meeting) == 0


def test_every_in_an_ordinary_title_is_kept(console: Console) -> None:
    printed = console("/mdt new Review of every placement on 4/2/2027 at 10:00")
    assert "M1 Review of every placement - Thu 4 Feb 2027 10:00-11:00" in printed


def test_unknown_type_suggests_the_nearest_and_saves_nothing(console: Console) -> None:
    printed = console("/mdt new Check on 4/2/2027 at 10:00 type dischrage")
    assert "There is no meeting type `dischrage`. Did you mean `discharge`?" in printed
    assert count(console, Meeting) == 0


def test_review_before_the_meeting_ends_is_refused(console: Console) -> None:
    console(*DISCHARGE_MEETING)
    before = counts(console)
    printed = console("/mdt review M1 keep good chairing")
    assert "M1 has no review yet (it is running)" in printed
    assert counts(console) == before


def test_only_attendees_add_and_only_the_chair_sees_or_closes(console: Console) -> None:
    console(*DISCHARGE_ENDED)
    before = counts(console)
    printed = console(":as nina", "/mdt review M1 keep good chairing")
    assert "Only people who attended M1 can add to its review." in printed
    printed = console(":as tom", "/mdt review M1", "/mdt review M1 close")
    assert "Only the chair of M1 (@priya) can see its review." in printed
    assert "Only the chair of M1 (@priya) can close its review." in printed
    assert counts(console) == before


def test_a_button_press_without_text_asks_for_it_and_saves_nothing(console: Console) -> None:
    console(*DISCHARGE_ENDED)
    before = counts(console)
    printed = console(":as tom", "/mdt review M1 stop")
    assert (
        "What should the partnership STOP doing, after M1? Reply `/mdt review M1 stop <text>`"
        in (printed)
    )
    assert counts(console) == before


def test_an_item_after_close_is_refused_politely(console: Console) -> None:
    console(*DISCHARGE_ENDED, ":as tom", "/mdt review M1 keep clear actions", ":as priya")
    printed = console("/mdt review M1 close")
    assert "[#team] Review of M1 Discharge planning" in printed
    assert "1 of 2 attendees answered" in printed
    before = counts(console)
    printed = console(":as tom", "/mdt review M1 start more notice", ":as priya")
    assert "Thank you, but the review of M1 closed on Thu 4 Feb 2027 10:00, so nothing" in printed
    printed = console("/mdt review M1 close")
    assert "the review of M1 closed" in printed
    assert counts(console) == before


def test_an_item_after_the_deadline_is_refused_before_the_sweep_runs(console: Console) -> None:
    console(*DISCHARGE_ENDED, ":clock 2027-02-08T10:00:00+00:00")
    before = counts(console)
    printed = console(":as tom", "/mdt review M1 keep late thought")
    assert "the review of M1 closed on Mon 8 Feb 2027 10:00" in printed
    assert counts(console) == before


def test_start_action_mistakes_change_nothing(console: Console) -> None:
    console(
        *DISCHARGE_ENDED,
        ":as tom",
        "/mdt review M1 keep clear actions",
        "/mdt review M1 start visits",
    )
    console(":as priya")
    before = counts(console)
    printed = console("/mdt review M1 start-action 2 @tom by 1/3/2027")
    assert "`2` is not a START item of the review of M1." in printed
    printed = console("/mdt review M1 start-action 1 @tom soon")
    assert "For example: /mdt review M1 start-action 2 @sam by" in printed
    printed = console("/mdt review M1 start-action 1 @tom by someday")
    assert "someday" in printed
    assert counts(console) == before
    printed = console("/mdt review M1 start-action 1 @tom by 1/3/2027 measure signed off by nina")
    assert "START item 1 of the review of M1 is now action A2." in printed
    assert "due Mon 1 Mar 2027: visits (measure: signed off by nina)." in printed
    printed = console("/mdt review M1 start-action 1 @tom by 1/3/2027")
    assert "Item 1 of the review of M1 is already action A2." in printed
    assert count(console, Action) == 2


def test_close_due_reviews_with_a_session_and_with_a_store(console: Console) -> None:
    console(*DISCHARGE_ENDED)
    store = console.store
    early = at("2027-02-08T09:59:00+00:00")
    assert close_due_reviews(store, early) == []
    due = at("2027-02-08T10:00:00+00:00")
    with store.transaction(due) as session:
        messages = close_due_reviews(session, due)
    assert [(m.audience, m.channel, m.template) for m in messages] == [
        ("channel", "team", "reviews:summary")
    ]
    assert close_due_reviews(store, due) == []
    with store.transaction(due) as session:
        review = session.scalars(select(Review)).one()
        assert (review.status, review.closed_at, review.closed_by_id) == ("closed", due, None)


@pytest.mark.postgres
def test_two_workers_close_a_review_once(postgres_store: Store, tmp_path: Path) -> None:
    """Several workers share the sweep on PostgreSQL: row locks let one close each review."""
    start = at("2027-02-01T09:00:00+00:00")
    console = Console(postgres_store, start, "priya", "team", tmp_path / "files")
    console(*DISCHARGE_ENDED)
    due = at("2027-02-08T10:00:00+00:00")
    results: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        results.append(len(close_due_reviews(Store(console.store.engine), due)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]


def test_series_and_period_reviews_are_for_chairs(console: Console) -> None:
    console(*DISCHARGE_ENDED)
    printed = console(":as tom", "/mdt review series M1", "/mdt review period")
    assert "Only the chair of M1 (@priya) can review its series." in printed
    assert "Only someone who chaired a meeting in #team in that period can review it." in printed
    printed = console(":as priya", "/mdt review period from 1/3/2027 to 1/2/2027")
    assert "The period starts (Mon 1 Mar 2027) after it ends (Mon 1 Feb 2027)." in printed
    printed = console(":in elsewhere", "/mdt review period")
    assert "There is nothing to review for the meetings in #elsewhere yet" in printed


def test_the_next_occurrence_keeps_the_wall_time_across_the_clock_change() -> None:
    meeting = Meeting(
        starts_at=at("2027-03-25T10:00:00+00:00"),
        ends_at=at("2027-03-25T11:00:00+00:00"),
        timezone="Europe/London",
        series_interval="every week",
    )
    upcoming = next_start(meeting, at("2027-03-25T11:00:00+00:00"))
    assert upcoming is not None
    assert upcoming.starts_at == at("2027-04-01T09:00:00+00:00")  # 10:00 BST
    late = next_start(meeting, at("2027-04-02T09:00:00+00:00"))
    assert late is not None
    assert late.starts_at == at("2027-04-08T09:00:00+00:00")


def test_a_moved_occurrence_keeps_the_series_rhythm(console: Console) -> None:
    console(
        "/mdt new Complex case review on 4/2/2027 at 10:00 every 2 weeks",
        "/mdt move M1 to 5/2/2027",
        ":clock 2027-02-05T10:00:00+00:00",
        "/mdt start M1",
    )
    printed = console("/mdt end M1")
    assert "M2 Complex case review - Thu 18 Feb 2027 10:00-11:00" in printed


def test_a_new_meeting_about_the_same_case_lists_its_outstanding_actions(console: Console) -> None:
    console(*DISCHARGE_ENDED)
    console("/mdt new Discharge follow-up case BH-5521 on 11/2/2027 at 10:00 type discharge")
    printed = console("/mdt agenda M2")
    assert (
        "1. Outstanding actions from the last meeting (status on Thu 4 Feb 2027):\n"
        "   - A1 @tom: confirm the grab rails are fitted, due Wed 10 Feb 2027 [open] (from M1)\n"
        "2. " in printed
    )


def test_the_summary_reads_the_same_after_the_outbox(console: Console) -> None:
    from bot.console import at_name  # noqa: PLC0415
    from bot.render import Renderer  # noqa: PLC0415
    from commands.outbox.codec import decode_message, encode_message  # noqa: PLC0415

    console(*DISCHARGE_ENDED, ":as tom", "/mdt review M1 start joint visits", ":as priya")
    due = at("2027-02-08T10:00:00+00:00")
    (message,) = close_due_reviews(console.store, due)
    renderer = Renderer(mention=at_name)
    text = renderer.render(message)
    assert "START\n  1. joint visits" in text
    assert renderer.render(decode_message(encode_message(message))) == text
