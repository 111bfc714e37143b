"""Data-informed reviews: what people said beside suggestions drawn from the records."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, subqueryload
from sqlalchemy.orm.interfaces import LoaderOption

from commands.actions.standing import is_smart, letters
from commands.actions.standing import on_time as done_on_time
from commands.escalation.figures import DisagreementFigures, disagreement_figures
from commands.governance.visibility import may_see
from commands.language.workdays import WorkingCalendar
from commands.meetings.quorum import missing_sectors
from commands.meetings.series import HELD, related
from commands.meetings.types import meeting_types
from commands.record.history import REASON_KINDS
from commands.record.minutes import APPROVAL_DAYS, approval_due
from storage.models import (
    Action,
    ActionUpdate,
    Decision,
    Invitation,
    Meeting,
    Person,
    Review,
    ReviewItem,
    Workspace,
)
from storage.status import ActionStatus, ReviewStatus

KINDS = ("keep", "stop", "start")
ORDER = (Meeting.starts_at, Meeting.id)
SLOW_DAYS = 14
CHART_WIDTH = 900
LABEL_WIDTH = 280
BAR_SPACE = 420
ROW = 30
TOP = 10
COLOURS = {
    "on_time": "#2f855a",
    "late": "#c05621",
    "present": "#2b6cb0",
    "absent": "#c53030",
    "keep": "#2f855a",
    "stop": "#c53030",
    "start": "#2b6cb0",
    "smart": "#2b6cb0",
    "not_smart": "#b7791f",
}


@dataclass(frozen=True)
class Suggestion:
    """A KEEP, STOP or START drawn from the records: which one (`key`) and the figures behind it.

    The words are in meeting_templates/insights.j2, one entry per key.
    """

    kind: str
    key: str
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BarPart:
    """One coloured segment of a bar."""

    value: int
    x: int
    width: int
    colour: str


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a label, its segments and the figures written after it."""

    label: str
    y: int
    parts: tuple[BarPart, ...]
    figures: tuple[int, ...]
    end: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart drawn as inline SVG."""

    key: str
    legend: tuple[tuple[str, str], ...]
    bars: tuple[Bar, ...]
    width: int = CHART_WIDTH
    height: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "height", TOP * 2 + ROW * max(len(self.bars), 1))


@dataclass(frozen=True)
class Said:
    """One review item, unattributed, with the meeting it was said about."""

    meeting_ref: str
    kind: str
    text: str


@dataclass(frozen=True)
class Approvals:
    """How soon the ended meetings' minutes were approved, against 10 working days."""

    ended: int
    on_time: int
    late: tuple[tuple[str, int], ...]  # (meeting ref, working days to approval)
    waiting: tuple[tuple[str, int], ...]  # (meeting ref, working days so far), past the aim
    pending: int  # still a draft, within the aim
    aim: int = APPROVAL_DAYS


@dataclass(frozen=True)
class ClosedUndone:
    """Actions closed undone, by the reason kind given (CONTRACT section 10, SafeLives)."""

    changed: int
    did_not_act: int
    other: int
    agencies: tuple[tuple[str, int], ...]  # whose actions were closed as "agency did not act"

    @property
    def total(self) -> int:
        """Every action closed undone."""
        return self.changed + self.did_not_act + self.other


@dataclass
class InsightsView:
    """A series or period review: figures, suggestions, what people said and charts."""

    scope: str
    start: date | None
    end: date | None
    meetings: list[tuple[str, str, date]]
    quorate: int
    decisions: int
    actions: int
    smart: int
    respondents: int
    said: dict[str, list[Said]] = field(default_factory=dict)
    suggested: dict[str, list[Suggestion]] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    disagreements: DisagreementFigures | None = None
    approvals: Approvals | None = None
    closed_undone: ClosedUndone | None = None


def _whole() -> tuple[LoaderOption, ...]:
    """Load what the figures read with the meetings, in a fixed number of statements.

    Sub-query loads repeat the meetings' own query, so a thousand meetings cost what ten do
    (a select-in load sends its ids 500 at a time).
    """
    invitations = subqueryload(Meeting.invitations)
    return (
        invitations.joinedload(Invitation.person),
        invitations.joinedload(Invitation.deputy_for),
        subqueryload(Meeting.decisions),
        subqueryload(Meeting.actions).joinedload(Action.owner),
    )


def series_meetings(session: Session, meeting: Meeting, viewer_id: int) -> list[Meeting]:
    """The held meetings of a meeting's series (or its case, or only itself) the viewer may see.

    Oldest first; what the viewer neither chairs nor is invited to is left out, in SQL.
    """
    conditions = related(meeting)
    query = select(Meeting).where(
        Meeting.workspace_id == meeting.workspace_id,
        Meeting.status.in_(HELD),
        may_see(viewer_id),
        or_(*conditions) if conditions else Meeting.id == meeting.id,
    )
    return list(session.scalars(query.options(*_whole()).order_by(*ORDER)).all())


def period_meetings(
    session: Session,
    workspace: Workspace,
    channel: str,
    period: tuple[date | None, date],
    viewer_id: int,
) -> list[Meeting]:
    """Held meetings in a channel the viewer may see, dated (in the workspace's zone) in the period.

    The dates become instants in the workspace's zone, so the database does the filtering.
    """
    start, end = period
    zone = ZoneInfo(workspace.timezone)
    query = select(Meeting).where(
        Meeting.workspace_id == workspace.id,
        Meeting.channel == channel,
        Meeting.status.in_(HELD),
        Meeting.starts_at < _midnight(end + timedelta(days=1), zone),
        may_see(viewer_id),
    )
    if start is not None:
        query = query.where(Meeting.starts_at >= _midnight(start, zone))
    return list(session.scalars(query.options(*_whole()).order_by(*ORDER)).all())


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a day in a zone, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


Row = tuple[str, list[tuple[int, str]], tuple[int, ...]]


def _bars(rows: Sequence[Row]) -> tuple[Bar, ...]:
    """Lay out rows of (label, [(value, colour)], figures) on one scale."""
    largest = max((sum(v for v, _ in parts) for _, parts, _ in rows), default=0) or 1
    bars = []
    for index, (label, parts, figures) in enumerate(rows):
        x = LABEL_WIDTH
        laid = []
        for value, colour in parts:
            width = round(BAR_SPACE * value / largest)
            if value and width < 3:
                width = 3
            laid.append(BarPart(value, x, width, colour))
            x += width
        bars.append(Bar(label, TOP + index * ROW, tuple(laid), figures, x))
    return tuple(bars)


class _Builder:
    """Works the figures out once for a list of meetings."""

    def __init__(
        self,
        session: Session,
        meetings: list[Meeting],
        today: date,
        viewer_id: int,
        calendar: WorkingCalendar,
    ) -> None:
        self.session = session
        self.calendar = calendar
        self.viewer_id = viewer_id
        self.meetings = meetings
        self.today = today
        self.zone = ZoneInfo(meetings[0].timezone)
        self.actions = [
            a for m in meetings for a in m.actions if a.status != ActionStatus.CANCELLED
        ]

    def overdue_by_agency(self) -> tuple[list[Suggestion], Chart]:
        due: dict[str, list[Action]] = {}
        for action in self.actions:
            if action.status == ActionStatus.DONE or action.due < self.today:
                owner_agency = action.owner.agency
                name = owner_agency.name if owner_agency else "Agency not given"
                due.setdefault(name, []).append(action)
        suggestions = []
        rows: list[Row] = []
        for agency, actions in sorted(due.items()):
            on_time = sum(1 for a in actions if done_on_time(a, self.zone))
            late = len(actions) - on_time
            facts = {"agency": agency, "late": late, "on_time": on_time, "due": len(actions)}
            if late and late * 2 >= len(actions):
                percent = round(100 * late / len(actions))
                suggestions.append(Suggestion("stop", "overdue", {**facts, "percent": percent}))
            elif not late and len(actions) >= 2:
                suggestions.append(Suggestion("keep", "on_time", facts))
            rows.append(
                (
                    agency,
                    [(on_time, COLOURS["on_time"]), (late, COLOURS["late"])],
                    (on_time, late),
                )
            )
        chart = Chart(
            "overdue", (("on_time", COLOURS["on_time"]), ("late", COLOURS["late"])), _bars(rows)
        )
        return suggestions, chart

    def absent_sectors(self) -> tuple[list[Suggestion], Chart]:
        required: dict[str, list[Meeting]] = {}
        absent: dict[str, list[Meeting]] = {}
        for meeting in self.meetings:
            kind = meeting_types().get(meeting.meeting_type or "")
            if kind is None:
                continue
            missing = missing_sectors(meeting)
            for sector in kind.required_sectors:
                required.setdefault(sector, []).append(meeting)
                if sector in missing:
                    absent.setdefault(sector, []).append(meeting)
        suggestions = []
        rows: list[Row] = []
        for sector, meetings in sorted(required.items()):
            missed = absent.get(sector, [])
            facts = {"sector": sector, "required": len(meetings)}
            if missed:
                refs = [m.ref for m in missed]
                suggestions.append(
                    Suggestion("start", "absent", {**facts, "missed": len(missed), "refs": refs})
                )
            elif len(meetings) >= 2:
                suggestions.append(Suggestion("keep", "present", facts))
            held = len(meetings) - len(missed)
            rows.append(
                (
                    sector,
                    [(held, COLOURS["present"]), (len(missed), COLOURS["absent"])],
                    (held, len(meetings)),
                )
            )
        chart = Chart(
            "sectors",
            (("present", COLOURS["present"]), ("absent", COLOURS["absent"])),
            _bars(rows),
        )
        return suggestions, chart

    def unratified(self) -> list[Suggestion]:
        marked = [
            (m, n, d) for m in self.meetings for n, d in enumerate(m.decisions, 1) if d.to_ratify
        ]
        if not marked:
            return []
        ratified = self._ratified_later({m.id: m for m, _, _ in marked}.values())
        left = [(m, n) for m, n, _ in marked if m.id not in ratified]
        if not left:
            return [Suggestion("keep", "ratified", {"marked": len(marked)})]
        refs = [(m.ref, n) for m, n in left]
        return [
            Suggestion(
                "start", "unratified", {"left": len(left), "marked": len(marked), "refs": refs}
            )
        ]

    def _ratified_later(self, meetings: Iterable[Meeting]) -> set[int]:
        """The meetings followed by a quorate meeting of their series or case, in one query."""
        meetings = list(meetings)
        series = {m.series_id for m in meetings if m.series_id is not None}
        cases = {m.case_ref for m in meetings if m.case_ref}
        if not series and not cases:
            return set()
        quorate = self.session.execute(
            select(Meeting.series_id, Meeting.case_ref, func.max(Meeting.starts_at))
            .where(
                Meeting.workspace_id == meetings[0].workspace_id,
                Meeting.status.in_(HELD),
                Meeting.quorate.is_(True),
                or_(Meeting.series_id.in_(series), Meeting.case_ref.in_(cases)),
            )
            .group_by(Meeting.series_id, Meeting.case_ref)
        ).all()
        latest_in_series: dict[int, datetime] = {}
        latest_in_case: dict[str, datetime] = {}
        for series_id, case_ref, latest in quorate:
            if series_id is not None:
                latest_in_series[series_id] = max(latest, latest_in_series.get(series_id, latest))
            if case_ref:
                latest_in_case[case_ref] = max(latest, latest_in_case.get(case_ref, latest))
        return {
            m.id
            for m in meetings
            if (
                m.series_id is not None
                and latest_in_series.get(m.series_id, m.starts_at) > m.starts_at
            )
            or (m.case_ref and latest_in_case.get(m.case_ref, m.starts_at) > m.starts_at)
        }

    def never_smart(self) -> tuple[list[Suggestion], Chart]:
        rows: list[Row] = []
        for meeting in self.meetings:
            actions = [a for a in meeting.actions if a.status != ActionStatus.CANCELLED]
            smart = sum(1 for a in actions if is_smart(a))
            rows.append(
                (
                    meeting.ref,
                    [(smart, COLOURS["smart"]), (len(actions) - smart, COLOURS["not_smart"])],
                    (smart, len(actions)),
                )
            )
        chart = Chart(
            "smart", (("smart", COLOURS["smart"]), ("not_smart", COLOURS["not_smart"])), _bars(rows)
        )
        not_smart = [a for a in self.actions if not is_smart(a)]
        if not self.actions:
            return [], chart
        if not not_smart:
            return [Suggestion("keep", "smart", {"actions": len(self.actions)})], chart
        missing = Counter(letter for a in not_smart for letter, ok in letters(a).items() if not ok)
        letter, count = sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        facts = {
            "not_smart": len(not_smart),
            "actions": len(self.actions),
            "letter": letter,
            "without": count,
        }
        return [Suggestion("start", "not_smart", facts)], chart

    def decision_to_done(self) -> list[Suggestion]:
        decided = {
            d.id: d
            for d in self.session.scalars(
                select(Decision).where(
                    Decision.id.in_([a.decision_id for a in self.actions if a.decision_id])
                )
            ).all()
        }
        days = [
            (a.completed_at - decided[a.decision_id].created_at).total_seconds() / 86400
            for a in self.actions
            if a.completed_at is not None and a.decision_id in decided
        ]
        if not days:
            return []
        middle = round(statistics.median(days), 1)
        facts = {"median": middle, "actions": len(days), "longest": round(max(days), 1)}
        if middle > SLOW_DAYS:
            return [Suggestion("stop", "slow", facts)]
        return [Suggestion("keep", "quick", facts)]

    def approvals(self) -> tuple[list[Suggestion], Approvals | None]:
        """Minutes approved within 10 working days of the meeting, late, or still waiting."""
        on_time = 0
        late: list[tuple[str, int]] = []
        waiting: list[tuple[str, int]] = []
        ended = [m for m in self.meetings if m.closed_at is not None]
        for meeting in ended:
            due = approval_due(meeting, self.calendar)
            assert meeting.closed_at is not None
            assert due is not None
            zone = ZoneInfo(meeting.timezone)
            closed = meeting.closed_at.astimezone(zone).date()
            if meeting.approved_at is not None:
                approved = meeting.approved_at.astimezone(zone).date()
                if approved > due:
                    late.append((meeting.ref, self.calendar.working_days_between(closed, approved)))
                else:
                    on_time += 1
            elif self.today > due:
                waiting.append(
                    (meeting.ref, self.calendar.working_days_between(closed, self.today))
                )
        if not ended:
            return [], None
        pending = len(ended) - on_time - len(late) - len(waiting)
        figures = Approvals(len(ended), on_time, tuple(late), tuple(waiting), pending)
        facts = {"ended": len(ended), "aim": APPROVAL_DAYS}
        if late or waiting:
            refs = [ref for ref, _ in late + waiting]
            return [Suggestion("stop", "late_minutes", {**facts, "refs": refs})], figures
        if on_time >= 2:
            return [Suggestion("keep", "minutes_on_time", {**facts, "on_time": on_time})], figures
        return [], figures

    def closed_undone(self) -> tuple[list[Suggestion], ClosedUndone | None]:
        """The actions closed undone, by reason kind, in one query."""
        actions = select(Action.id).where(Action.meeting_id.in_([m.id for m in self.meetings]))
        rows = self.session.execute(
            select(ActionUpdate.action_id, ActionUpdate.reason_kind).where(
                ActionUpdate.kind == "cancelled", ActionUpdate.action_id.in_(actions)
            )
        ).all()
        if not rows:
            return [], None
        owners = {a.id: a.owner for m in self.meetings for a in m.actions}
        kinds = Counter(kind for _, kind in rows)
        changed, did_not_act = (kinds[k] for k in REASON_KINDS)
        agencies = Counter(
            _agency_name(owners.get(action_id))
            for action_id, kind in rows
            if kind == REASON_KINDS[1]
        )
        figures = ClosedUndone(
            changed=changed,
            did_not_act=did_not_act,
            other=len(rows) - changed - did_not_act,
            agencies=tuple(sorted(agencies.items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        if not did_not_act:
            return [], figures
        facts = {"did_not_act": did_not_act, "closed": figures.total, "agencies": figures.agencies}
        return [Suggestion("stop", "did_not_act", facts)], figures

    def said(self) -> tuple[list[Said], int, Chart]:
        """What people said: of a review still open, only what its meeting's chair may read."""
        ids = {m.id: m.ref for m in self.meetings}
        chaired = [m.id for m in self.meetings if m.chair_id == self.viewer_id]
        rows = self.session.execute(
            select(Review.meeting_id, ReviewItem)
            .join(ReviewItem, ReviewItem.review_id == Review.id)
            .where(
                Review.meeting_id.in_(list(ids)),
                or_(Review.status != ReviewStatus.OPEN, Review.meeting_id.in_(chaired)),
            )
            .order_by(Review.meeting_id, ReviewItem.position)
        ).all()
        order = {m.id: n for n, m in enumerate(self.meetings)}
        items = sorted(rows, key=lambda r: (order[r[0]], r[1].position))
        said = [Said(ids[mid], item.kind, item.text) for mid, item in items]
        people = len({item.author_id for _mid, item in items})
        counts = Counter(s.kind for s in said)
        chart = Chart(
            "said",
            tuple((k, COLOURS[k]) for k in KINDS),
            _bars([(k.upper(), [(counts[k], COLOURS[k])], (counts[k],)) for k in KINDS]),
        )
        return said, people, chart


def _agency_name(person: Person | None) -> str:
    agency = person.agency if person is not None else None
    return agency.name if agency is not None else "Agency not given"


def insights_for(
    session: Session,
    meetings: list[Meeting],
    today: date,
    *,
    viewer_id: int,
    calendar: WorkingCalendar,
    scope: str,
    start: date | None = None,
    end: date | None = None,
) -> InsightsView:
    """The data-informed review of some meetings, as the viewer may read it."""
    build = _Builder(session, meetings, today, viewer_id, calendar)
    overdue, overdue_chart = build.overdue_by_agency()
    sectors, sectors_chart = build.absent_sectors()
    smart, smart_chart = build.never_smart()
    said, people, said_chart = build.said()
    late_minutes, approvals = build.approvals()
    did_not_act, closed_undone = build.closed_undone()
    suggestions = (
        overdue
        + sectors
        + build.unratified()
        + smart
        + build.decision_to_done()
        + late_minutes
        + did_not_act
    )
    zone = build.zone
    return InsightsView(
        scope=scope,
        start=start,
        end=end,
        meetings=[(m.ref, m.title, m.starts_at.astimezone(zone).date()) for m in meetings],
        quorate=sum(1 for m in meetings if m.quorate is not False),
        decisions=sum(len(m.decisions) for m in meetings),
        actions=len(build.actions),
        smart=sum(1 for a in build.actions if is_smart(a)),
        respondents=people,
        said={kind: [s for s in said if s.kind == kind] for kind in KINDS},
        suggested={kind: [s for s in suggestions if s.kind == kind] for kind in KINDS},
        charts=[overdue_chart, sectors_chart, smart_chart, said_chart],
        disagreements=disagreement_figures(session, meetings),
        approvals=approvals,
        closed_undone=closed_undone,
    )
