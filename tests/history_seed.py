"""A channel's history for statement counts and benchmarks: one case's series of held meetings.

Written straight into the database (not through commands) so a thousand meetings take seconds.
Every meeting is a `strategy` meeting of one series about case BH-5521 in #team, chaired by
priya with tom and nina invited; every other one is not quorate (Police absent) and marks its
decisions to be ratified. Each has a decision, two actions (some done, some late), and a review
with three items; the last review is still open. A scheduled next occurrence follows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.db import Store
from storage.models import (
    Action,
    Agency,
    Decision,
    Invitation,
    Meeting,
    Note,
    Person,
    Review,
    ReviewItem,
    Workspace,
)

FIRST = datetime(2020, 1, 6, 10, 0, tzinfo=UTC)
CASE = "BH-5521"
CHANNEL = "team"


def history_now(meetings: int) -> datetime:
    """A moment two days after the last held meeting (its review still open)."""
    return FIRST + timedelta(weeks=meetings - 1, days=2)


def seed_history(store: Store, meetings: int) -> datetime:
    """Write `meetings` held weekly meetings and the next one; returns the moment to read at."""
    now = history_now(meetings)
    with store.transaction(FIRST) as session:
        workspace = Workspace(
            platform="console",
            external_id="console",
            name="console",
            timezone="Europe/London",
            holidays_nation="England and Wales",
            next_meeting_number=meetings + 2,
            next_action_number=2 * meetings + 1,
            next_decision_number=meetings + 1,
            created_at=FIRST,
        )
        session.add(workspace)
        session.flush()
        agencies = [
            Agency(workspace_id=workspace.id, name=name, sector=sector)
            for name, sector in (
                ("Brighton Adult Social Care", "Adult Social Care"),
                ("Moat Housing", "Housing"),
                ("NHS Community Mental Health", "Health"),
            )
        ]
        session.add_all(agencies)
        session.flush()
        priya, tom, nina = (
            Person(
                workspace_id=workspace.id,
                external_id=name,
                display_name=name,
                agency_id=agency.id,
            )
            for name, agency in zip(("priya", "tom", "nina"), agencies, strict=True)
        )
        session.add_all([priya, tom, nina])
        session.flush()
        series_id: int | None = None
        for n in range(1, meetings + 2):
            starts = FIRST + timedelta(weeks=n - 1)
            held = n <= meetings
            meeting = Meeting(
                workspace_id=workspace.id,
                number=n,
                title=f"Case review {n}",
                case_ref=CASE,
                meeting_type="strategy",
                chair_id=priya.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                timezone="Europe/London",
                status="ended" if held else "scheduled",
                channel=CHANNEL,
                series_interval="every week",
                series_id=series_id,
                planned_start=starts,
                quorate=(n % 2 == 0) if held else None,
                started_at=starts if held else None,
                closed_at=starts + timedelta(hours=1) if held else None,
                created_at=starts - timedelta(days=7),
            )
            session.add(meeting)
            session.flush()
            if series_id is None:
                series_id = meeting.series_id = meeting.id
            session.add_all(
                [
                    Invitation(
                        meeting_id=meeting.id,
                        person_id=priya.id,
                        role="chair",
                        rsvp="attending",
                        attended=held,
                    ),
                    Invitation(
                        meeting_id=meeting.id, person_id=tom.id, rsvp="attending", attended=held
                    ),
                    Invitation(
                        meeting_id=meeting.id,
                        person_id=nina.id,
                        rsvp="attending" if n % 2 == 0 else "apologies",
                        attended=held and n % 2 == 0,
                    ),
                ]
            )
            if not held:
                continue
            decision = Decision(
                workspace_id=workspace.id,
                number=n,
                meeting_id=meeting.id,
                text=f"Carry on with plan {n}",
                rationale="it works",
                author_id=priya.id,
                to_ratify=n % 2 == 1,
                created_at=starts,
            )
            session.add(decision)
            session.add(
                Note(meeting_id=meeting.id, text=f"Note {n}", author_id=tom.id, created_at=starts)
            )
            session.flush()
            for k, owner in enumerate((tom, priya)):
                due = starts.date() + timedelta(days=7)
                done = (n + k) % 3 != 0 and n < meetings
                session.add(
                    Action(
                        workspace_id=workspace.id,
                        number=2 * (n - 1) + k + 1,
                        meeting_id=meeting.id,
                        decision_id=decision.id,
                        owner_id=owner.id,
                        description=f"Task {n}.{k}",
                        measure="photo shared" if k == 0 else None,
                        due=due,
                        status="done" if done else "open",
                        accepted=True,
                        specific=True,
                        measurable=k == 0,
                        relevant=True,
                        time_bound=True,
                        created_by_id=priya.id,
                        created_at=starts,
                        completed_at=_completed(due, n + k) if done else None,
                    )
                )
            review = Review(
                workspace_id=workspace.id,
                meeting_id=meeting.id,
                status="closed" if n < meetings else "open",
                opened_at=starts + timedelta(hours=1),
                closes_at=starts + timedelta(days=2),
                closed_at=starts + timedelta(days=2) if n < meetings else None,
            )
            session.add(review)
            session.flush()
            for position, (kind, text) in enumerate(
                (("keep", "short agenda"), ("stop", "long updates"), ("start", "visits")), 1
            ):
                session.add(
                    ReviewItem(
                        review_id=review.id,
                        position=position,
                        kind=kind,
                        text=f"{text} {n}",
                        author_id=(tom, nina, priya)[position - 1].id,
                        created_at=starts + timedelta(hours=2),
                    )
                )
        session.flush()
    return now


def _completed(due: date, salt: int) -> datetime:
    """Done on time for most, a few days late for every fourth."""
    late = 3 if salt % 4 == 0 else -1
    return datetime.combine(due + timedelta(days=late), datetime.min.time(), tzinfo=UTC)
