"""A three-meeting series on the console: carried-forward actions, quorum, reviews and the clock."""

from __future__ import annotations

from sqlalchemy import func, select

from commands.reviews.meeting_review import review_sweep
from storage.models import Action, AgendaItem, Invitation, Meeting, Review, ReviewItem
from tests.conftest import Console
from tests.goldens import check_golden

PEOPLE = [
    "/mdt iam Brighton Adult Social Care as social worker",
    ":as tom",
    "/mdt iam Moat Housing as tenancy officer",
    ":as nina",
    "/mdt iam NHS Community Mental Health as nurse",
    ":as priya",
]
FIRST = [
    "/mdt new Complex case review case BH-5521 on 4/2/2027 at 10:00 type complex-case "
    "every 2 weeks with @tom @nina",
    ":as tom",
    "/mdt attend M1",
    ":as nina",
    "/mdt apologies M1 on leave",
    ":as priya",
    ":clock 2027-02-04T10:00:00+00:00",
    "/mdt start M1",
    "decision: Discharge to the flat on 11 Feb because adaptations will be fitted by 10 Feb",
    "action: @tom confirm the grab rails are fitted by 10/2/2027 measure photo shared with the "
    "team",
    "action: @priya arrange two weeks of respite care by 12/2/2027 measure booking confirmed in "
    "writing",
    "/mdt end M1",
    ":as tom",
    "/mdt accept A1",
    "/mdt review M1 keep short agenda kept us on time",
    "/mdt review M1 start joint visits with housing",
    ":as priya",
    "/mdt review M1 stop updates that repeat the case notes",
]
CLOCK_CLOSES_FIRST = [":clock 2027-02-08T12:00:00+00:00"]
AFTER_CLOSE = [
    ":as tom",
    "/mdt review M1 keep one more thing",
    "/mdt done A1 rails fitted",
    ":as priya",
]
SECOND = [
    ":clock 2027-02-18T09:30:00+00:00",
    ":as tom",
    "/mdt attend M2",
    ":as nina",
    "/mdt attend M2",
    ":as priya",
    "/mdt start M2",
    "/mdt agenda M2",
    "decision: Confirm the discharge to the flat because every agency agrees",
    "action: @nina send the care plan to the GP by 25/2/2027 measure copy sent to the GP",
    "/mdt end M2",
    ":as nina",
    "/mdt accept A3",
    "/mdt review M2 keep health at the table",
    "/mdt review M2 start a shared risk log",
    ":as tom",
    "/mdt review M2 keep short agenda again",
    ":as priya",
    "/mdt review M2",
    "/mdt review M2 start-action 1 @tom by 3/3/2027 measure risk log shared with the team",
    "/mdt review M2 close",
]
THIRD = [
    ":clock 2027-03-04T09:30:00+00:00",
    ":as tom",
    "/mdt attend M3",
    ":as priya",
    "/mdt start M3",
    "decision: Review the respite plan in March because the carer is unwell",
    "/mdt end M3",
    ":clock 2027-03-09T12:00:00+00:00",
    "/mdt agenda M4",
    "/mdt review series M3",
]


def run_series(console: Console) -> str:
    """Play the three meetings with the review sweep on the console's clock; all it printed."""
    console.session.sweep = review_sweep(console.store)
    return console(*PEOPLE, *FIRST, *CLOCK_CLOSES_FIRST, *AFTER_CLOSE, *SECOND, *THIRD)


def test_three_meeting_series_transcript(console: Console) -> None:
    check_golden("series-transcript.txt", run_series(console))


def test_series_occurrences_share_an_id_invitees_and_wall_time(console: Console) -> None:
    run_series(console)
    with console.store.transaction(console.session.now) as session:
        meetings = session.scalars(select(Meeting).order_by(Meeting.number)).all()
        assert [m.ref for m in meetings] == ["M1", "M2", "M3", "M4"]
        assert {m.series_id for m in meetings} == {meetings[0].id}
        assert [m.status for m in meetings] == ["ended", "ended", "ended", "scheduled"]
        # Every 2 weeks at 10:00 London: GMT in February, BST from 28 March.
        starts = [m.starts_at.isoformat() for m in meetings]
        assert starts == [
            "2027-02-04T10:00:00+00:00",
            "2027-02-18T10:00:00+00:00",
            "2027-03-04T10:00:00+00:00",
            "2027-03-18T10:00:00+00:00",
        ]
        for meeting in meetings[1:]:
            assert (
                meeting.ends_at - meeting.starts_at == meetings[0].ends_at - meetings[0].starts_at
            )
            assert (meeting.title, meeting.case_ref, meeting.meeting_type, meeting.channel) == (
                "Complex case review",
                "BH-5521",
                "complex-case",
                "team",
            )
            invited = session.scalars(
                select(Invitation).where(Invitation.meeting_id == meeting.id)
            ).all()
            assert sorted((i.person.display_name, i.role) for i in invited) == [
                ("nina", "attendee"),
                ("priya", "chair"),
                ("tom", "attendee"),
            ]


def test_the_next_agenda_starts_with_outstanding_actions_and_decisions_to_ratify(
    console: Console,
) -> None:
    printed = run_series(console)
    assert "Outstanding actions from the last meeting (status on Thu 18 Feb 2027):" in printed
    assert (
        "   - A1 @tom: confirm the grab rails are fitted, due Wed 10 Feb 2027 [done] (from M1)"
        in printed
    )
    assert "due Fri 12 Feb 2027 [overdue] (from M1)" in printed
    with console.store.transaction(console.session.now) as session:
        fourth = session.scalars(select(Meeting).where(Meeting.number == 4)).one()
        items = session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == fourth.id)
            .order_by(AgendaItem.position)
        ).all()
        assert [i.position for i in items] == list(range(1, len(items) + 1))
        assert items[0].text.startswith("Outstanding actions from the last meeting")
        assert "A2 @priya: arrange two weeks of respite care" in items[0].text
        assert "A4 @tom: a shared risk log" in items[0].text
        # M2 was quorate but nobody ratified D1, so it is still waiting, with M3's D3.
        assert items[1].text == (
            "Decisions to be ratified:\n"
            "   - D1 (M1): Discharge to the flat on 11 Feb (`/mdt ratify D1`)\n"
            "   - D3 (M3): Review the respite plan in March (`/mdt ratify D3`)"
        )


def test_reviews_close_by_chair_and_by_clock_and_refuse_late_items(console: Console) -> None:
    printed = run_series(console)
    assert "Review of M1 Complex case review (Thu 4 Feb 2027), closed after 2 working days." in (
        printed
    )
    assert "Review of M2 Complex case review (Thu 18 Feb 2027), closed by the chair." in printed
    assert "Thank you, but the review of M1 closed on Mon 8 Feb 2027" in printed
    with console.store.transaction(console.session.now) as session:
        reviews = session.scalars(select(Review).order_by(Review.id)).all()
        assert [(r.status, r.closed_by_id is None) for r in reviews] == [
            ("closed", True),
            ("closed", False),
            ("closed", True),
        ]
        first_items = session.scalars(
            select(ReviewItem).where(ReviewItem.review_id == reviews[0].id)
        ).all()
        assert sorted(i.text for i in first_items) == [
            "joint visits with housing",
            "short agenda kept us on time",
            "updates that repeat the case notes",
        ]
        turned = session.scalars(select(ReviewItem).where(ReviewItem.action_id.is_not(None))).one()
        action = session.get(Action, turned.action_id)
        assert action is not None
        assert (action.ref, action.owner.display_name, action.description) == (
            "A4",
            "tom",
            "a shared risk log",
        )


def test_the_clock_closes_each_review_once(console: Console) -> None:
    run_series(console)
    assert console(":clock +1d") == ""
    with console.store.transaction(console.session.now) as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 3
