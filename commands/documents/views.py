"""Plain view models of the records, built inside the transaction and handed to templates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from commands.actions.standing import letters as smart_letters
from commands.meetings.series import agenda_texts
from commands.meetings.types import meeting_types
from storage.models import Action, Decision, Invitation, Meeting, Note, Person
from storage.status import ActionStatus, MeetingStatus

SMART_ORDER = "SMART"


@dataclass(frozen=True)
class PersonView:
    """A practitioner as shown: name, agency, sector and role."""

    external_id: str
    name: str
    agency: str | None
    sector: str | None
    role: str | None


@dataclass(frozen=True)
class AttendeeView:
    """One invitee's reply and attendance at a meeting."""

    person: PersonView
    role: str
    rsvp: str
    attended: bool
    apology_reason: str | None
    deputy_for: PersonView | None
    sent_report: bool = False


@dataclass(frozen=True)
class DissentView:
    """One person's disagreement with a decision."""

    person: PersonView
    reason: str
    at: datetime
    late: bool = False
    escalate: bool = False


@dataclass(frozen=True)
class EscalationView:
    """A professional disagreement about a decision, as it stood at a moment."""

    ref: str
    raised_by: PersonView
    opened_at: datetime
    stage: int
    stage_title: str
    outcome: str | None = None
    outcome_text: str | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class RatificationView:
    """A later quorate meeting's answer to a decision made while not quorate."""

    outcome: str
    at: datetime
    by: PersonView
    meeting_ref: str
    reason: str | None = None


@dataclass(frozen=True)
class DecisionView:
    """A decision with its rationale, its ref `D<n>` and what came of it."""

    number: int
    text: str
    rationale: str | None
    author: PersonView
    to_ratify: bool
    at: datetime
    ref: str = ""
    meeting_ref: str = ""
    late: bool = False
    dissents: list[DissentView] = field(default_factory=list)
    ratification: RatificationView | None = None
    escalations: list[EscalationView] = field(default_factory=list)

    @property
    def label(self) -> str:
        """`D4`, or the number within its meeting for a decision from before refs."""
        return self.ref or str(self.number)


@dataclass(frozen=True)
class NoteView:
    """A note for the minutes."""

    author: PersonView
    text: str
    at: datetime | None = None
    late: bool = False


@dataclass(frozen=True)
class ActionView:
    """An action with its owner, due date, status and SMART letters."""

    ref: str
    meeting_ref: str
    description: str
    measure: str | None
    due: date
    status: str
    owner: PersonView
    accepted: bool
    letters: dict[str, bool]
    overdue: bool
    extension_requested: date | None
    extension_reason: str | None
    recorded_by: PersonView | None = None
    recorded_at: datetime | None = None
    late: bool = False

    @property
    def smart_text(self) -> str:
        """Letters that hold, e.g. `S M R T`."""
        return " ".join(letter for letter, ok in self.letters.items() if ok) or "none"

    @property
    def missing(self) -> list[str]:
        """Letters that do not hold."""
        return [letter for letter, ok in self.letters.items() if not ok]

    @property
    def is_smart(self) -> bool:
        """All five letters hold."""
        return all(self.letters.values())


@dataclass(frozen=True)
class SectorGroup:
    """People present or apologising, grouped by sector and agency."""

    sector: str
    people: list[PersonView]


@dataclass(frozen=True)
class MeetingView:
    """A meeting as shown in cards, lists and minutes."""

    ref: str
    title: str
    case_ref: str | None
    type_name: str | None
    type_label: str | None
    starts_at: datetime
    ends_at: datetime
    zone: str
    status: str
    channel: str
    chair: PersonView
    series: str | None
    quorate: bool | None
    invitees: list[AttendeeView] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    decisions: list[DecisionView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)
    started_at: datetime | None = None
    closed_at: datetime | None = None
    venue: str | None = None

    @property
    def minute_takers(self) -> set[str]:
        """The external ids of those invited as minute-taker."""
        return {a.person.external_id for a in self.invitees if a.role == "minute-taker"}

    @property
    def invited(self) -> list[AttendeeView]:
        """Everyone invited except the chair."""
        return [a for a in self.invitees if a.role != "chair"]

    @property
    def present(self) -> list[AttendeeView]:
        """Those who attended or, before the meeting starts, those who said they will."""
        if self.status == MeetingStatus.SCHEDULED:
            return [a for a in self.invitees if a.rsvp == "attending"]
        return [a for a in self.invitees if a.attended]

    @property
    def apologies(self) -> list[AttendeeView]:
        """Those who sent apologies."""
        return [a for a in self.invitees if a.rsvp == "apologies"]

    @property
    def others(self) -> list[AttendeeView]:
        """Invitees who have neither attended nor sent apologies."""
        present = {id(a) for a in self.present}
        return [a for a in self.invitees if id(a) not in present and a.rsvp != "apologies"]

    @property
    def present_by_sector(self) -> list[SectorGroup]:
        """Attendance grouped by sector, in a stable order."""
        return group_by_sector(a.person for a in self.present)

    @property
    def actions_by_owner(self) -> list[tuple[PersonView, list[ActionView]]]:
        """Actions grouped by owner, owners in order of first action."""
        groups: dict[str, tuple[PersonView, list[ActionView]]] = {}
        for action in self.actions:
            groups.setdefault(action.owner.external_id, (action.owner, []))[1].append(action)
        return list(groups.values())


def person_view(person: Person) -> PersonView:
    """The view of a person."""
    agency = person.agency
    return PersonView(
        external_id=person.external_id,
        name=person.display_name,
        agency=agency.name if agency else None,
        sector=agency.sector if agency else None,
        role=person.role,
    )


def group_by_sector(people: Iterable[PersonView]) -> list[SectorGroup]:
    """People grouped by sector (unknown last), keeping first-seen order inside a group."""
    groups: dict[str, list[PersonView]] = {}
    for person in people:
        groups.setdefault(person.sector or "Agency not given", []).append(person)
    return [SectorGroup(sector, members) for sector, members in groups.items()]


def action_view(action: Action, today: date) -> ActionView:
    """The view of an action, with overdue worked out for `today`."""
    return ActionView(
        ref=action.ref,
        meeting_ref=action.meeting.ref,
        description=action.description,
        measure=action.measure,
        due=action.due,
        status=action.status,
        owner=person_view(action.owner),
        accepted=action.accepted,
        letters=smart_letters(action),
        overdue=action.status == ActionStatus.OPEN and action.due < today,
        extension_requested=action.extension_requested,
        extension_reason=action.extension_reason,
        recorded_at=action.created_at,
    )


def attendee_view(invitation: Invitation) -> AttendeeView:
    """The view of one invitation."""
    person = person_view(invitation.person)
    if invitation.deputy_for is not None and person.agency is None:
        # A deputy with no agency of their own stands for the agency of whom they replace,
        # as quoracy counts them.
        stood_for = person_view(invitation.deputy_for)
        person = replace(person, agency=stood_for.agency, sector=stood_for.sector)
    return AttendeeView(
        person=person,
        role=invitation.role,
        rsvp=invitation.rsvp,
        attended=invitation.attended,
        apology_reason=invitation.apology_reason,
        deputy_for=person_view(invitation.deputy_for) if invitation.deputy_for else None,
        sent_report=invitation.sent_report,
    )


def decision_view(number: int, decision: Decision) -> DecisionView:
    """The view of a decision, numbered within its meeting."""
    return DecisionView(
        number=number,
        text=decision.text,
        rationale=decision.rationale,
        author=person_view(decision.author),
        to_ratify=decision.to_ratify,
        at=decision.created_at,
        ref=decision.ref if decision.number is not None else "",
    )


def meeting_view(meeting: Meeting, today: date, *, full: bool = False) -> MeetingView:
    """The view of a meeting; `full` adds invitees, agenda, decisions, notes and actions."""
    kind = meeting_types().get(meeting.meeting_type or "")
    view = MeetingView(
        ref=meeting.ref,
        title=meeting.title,
        case_ref=meeting.case_ref,
        type_name=meeting.meeting_type,
        type_label=kind.label if kind else None,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        zone=meeting.timezone,
        status=meeting.status,
        channel=meeting.channel,
        chair=person_view(meeting.chair),
        series=meeting.series_interval,
        quorate=meeting.quorate,
        started_at=meeting.started_at,
        closed_at=meeting.closed_at,
        venue=meeting.venue,
    )
    if full:
        view.invitees.extend(attendee_view(i) for i in meeting.invitations)
        view.agenda.extend(agenda_texts(meeting, today))
        view.decisions.extend(decision_view(n, d) for n, d in enumerate(meeting.decisions, 1))
        view.notes.extend(_note(n) for n in meeting.notes)
        view.actions.extend(action_view(a, today) for a in meeting.actions)
    return view


def _note(note: Note) -> NoteView:
    return NoteView(person_view(note.author), note.text, note.created_at)
