"""What a command works with: the caller, the workspace, the session, and the messages it sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from commands.errors import CommandError
from commands.governance.policy import Governance
from commands.language.grammar import action_number, decision_number, meeting_number
from commands.language.workdays import WorkingCalendar
from commands.messages import (
    Attachment,
    Button,
    Directory,
    Message,
    Recipient,
    Request,
    UserRef,
)
from commands.people.email_people import address_of, email_person
from storage.models import Action, Decision, Invitation, Meeting, Person, Workspace
from storage.status import MeetingStatus

Row = TypeVar("Row", Meeting, Action)


@dataclass
class Context:
    """Everything one command needs, and the messages it has to send."""

    session: Session
    request: Request
    workspace: Workspace
    caller: Person
    directory: Directory
    calendar: WorkingCalendar
    messages: list[Message] = field(default_factory=list)
    captured: bool = False
    governance: Governance = field(default_factory=Governance)
    invite_domain: str = "localhost"
    email_enabled: bool = True

    @property
    def now(self) -> datetime:
        """The request's moment (the injected clock)."""
        return self.request.now

    @property
    def workspace_zone(self) -> ZoneInfo:
        """The workspace's zone, used for channel posts."""
        return ZoneInfo(self.workspace.timezone)

    def zone_of(self, person: Person) -> ZoneInfo:
        """A person's own zone, or the workspace's."""
        return ZoneInfo(person.timezone or self.workspace.timezone)

    @property
    def zone(self) -> ZoneInfo:
        """The caller's zone."""
        return self.zone_of(self.caller)

    @property
    def today(self) -> date:
        """Today in the caller's zone."""
        return self.now.astimezone(self.zone).date()

    def fail(self, name: str, /, **context: Any) -> NoReturn:
        """Stop the command: roll back and tell the caller what was wrong."""
        raise CommandError(name, **context)

    # Messages -------------------------------------------------------------------------------

    def reply(
        self,
        template: str,
        /,
        *,
        kind: str = "text",
        buttons: tuple[Button, ...] = (),
        attachments: tuple[Attachment, ...] = (),
        **context: Any,
    ) -> None:
        """A reply only the caller sees, in the caller's zone."""
        self.messages.append(
            Message(
                audience="private",
                template=template,
                context=context,
                zone=str(self.zone),
                channel=self.request.channel,
                recipient=_recipient(self.caller),
                kind=kind,
                buttons=buttons,
                attachments=attachments,
            )
        )

    def post(
        self,
        template: str,
        /,
        channel: str | None = None,
        *,
        kind: str = "text",
        buttons: tuple[Button, ...] = (),
        attachments: tuple[Attachment, ...] = (),
        meta: dict[str, Any] | None = None,
        **context: Any,
    ) -> None:
        """A post in a channel (the request's unless named), in the workspace's zone.

        A post caused by a line captured in a meeting thread goes to that thread.
        """
        thread_id = self.request.thread_id if self.captured else None
        self.messages.append(
            Message(
                audience="thread" if thread_id else "channel",
                template=template,
                context=context,
                zone=self.workspace.timezone,
                channel=channel or self.request.channel,
                thread_id=thread_id,
                buttons=buttons,
                attachments=attachments,
                kind=kind,
                meta={"captured": self.captured, **(meta or {})},
            )
        )

    def confirm(self, template: str, /, **context: Any) -> None:
        """Confirm a change: in the thread for a captured line, otherwise privately."""
        if self.captured:
            self.post(template, **context)
        else:
            self.reply(template, **context)

    def dm(
        self,
        person: Person,
        template: str,
        /,
        *,
        kind: str = "text",
        buttons: tuple[Button, ...] = (),
        attachments: tuple[Attachment, ...] = (),
        **context: Any,
    ) -> None:
        """A direct message to one person, in their own zone."""
        self.messages.append(
            Message(
                audience="dm",
                template=template,
                context=context,
                zone=str(self.zone_of(person)),
                recipient=_recipient(person),
                buttons=buttons,
                attachments=attachments,
                kind=kind,
            )
        )

    # Records --------------------------------------------------------------------------------

    def person_for(self, user: UserRef) -> Person:
        """The person row for a platform user, created on first sight."""
        return person_for(self.session, self.workspace, user)

    def mentioned(self, token: str) -> Person:
        """The person a token names: an email address, a mention, or an unambiguous known name.

        An address names an email-only person, created on first use; without a way to send
        email (no SMTP_URL outside the console) it is refused.
        """
        address = address_of(token)
        if address is not None:
            if not self.email_enabled:
                self.fail("email_unavailable", address=address)
            return email_person(self.session, self.workspace, address)
        user = self.directory.resolve(token)
        if user is not None:
            return self.person_for(user)
        name = token.lstrip("@").lower()
        matches = self.session.scalars(
            select(Person).where(
                Person.workspace_id == self.workspace.id,
                func.lower(Person.display_name) == name,
            )
        ).all()
        if len(matches) != 1:
            self.fail("unknown_person", token=token)
        return matches[0]

    def meeting(self, token: str) -> Meeting:
        """The meeting a ref names, in this workspace, locked until the command commits.

        The row lock (and its fresh read) makes a change of state a single step: of two
        `/mdt start M3` at the same instant, the second waits, then sees M3 running.
        """
        number = meeting_number(token)
        if number is None:
            self.fail("bad_meeting_ref", token=token)
        meeting = self.session.scalar(
            locked(
                select(Meeting).where(
                    Meeting.workspace_id == self.workspace.id, Meeting.number == number
                ),
                Meeting,
            )
        )
        if meeting is None:
            self.fail("unknown_meeting", ref=f"M{number}")
        return meeting

    def running_meeting(self) -> Meeting | None:
        """The one meeting running in this channel (or thread), if exactly one is."""
        query = select(Meeting).where(
            Meeting.workspace_id == self.workspace.id,
            Meeting.channel == self.request.channel,
            Meeting.status == MeetingStatus.RUNNING,
        )
        running = self.session.scalars(locked(query, Meeting)).all()
        if self.request.thread_id:
            in_thread = [m for m in running if m.thread_id == self.request.thread_id]
            if in_thread:
                return in_thread[0]
        return running[0] if len(running) == 1 else None

    def meeting_or_running(self, args: str, usage: str) -> tuple[Meeting, str]:
        """A leading meeting ref, or the meeting running in this channel; and the rest."""
        head, _, rest = args.strip().partition(" ")
        if meeting_number(head.rstrip(":")) is not None:
            return self.meeting(head.rstrip(":")), rest.strip().removeprefix(":").strip()
        running = self.running_meeting()
        if running is None:
            refs = [m.ref for m in self.running_meetings()]
            self.fail("which_meeting", usage=usage, running=refs)
        return running, args.strip()

    def running_meetings(self) -> list[Meeting]:
        """Every meeting running in this channel, oldest ref first."""
        query = select(Meeting).where(
            Meeting.workspace_id == self.workspace.id,
            Meeting.channel == self.request.channel,
            Meeting.status == MeetingStatus.RUNNING,
        )
        return list(self.session.scalars(query.order_by(Meeting.number)).all())

    def action(self, token: str) -> Action:
        """The action a ref names, in this workspace, locked until the command commits."""
        number = action_number(token)
        if number is None:
            self.fail("bad_action_ref", token=token)
        action = self.session.scalar(
            locked(
                select(Action).where(
                    Action.workspace_id == self.workspace.id, Action.number == number
                ),
                Action,
            )
        )
        if action is None:
            self.fail("unknown_action", ref=f"A{number}")
        return action

    def decision(self, token: str) -> Decision:
        """The decision a ref names, in this workspace."""
        number = decision_number(token)
        if number is None:
            self.fail("bad_decision_ref", token=token)
        decision = self.session.scalar(
            select(Decision).where(
                Decision.workspace_id == self.workspace.id, Decision.number == number
            )
        )
        if decision is None:
            self.fail("unknown_decision", ref=f"D{number}")
        return decision

    def require_unlocked(self, meeting: Meeting, doing: str) -> None:
        """Refuse any change to approved (locked) minutes, pointing to `/mdt addendum`."""
        if meeting.locked:
            self.fail("locked", meeting=meeting.ref, doing=doing)

    def invitation(self, meeting: Meeting, person: Person) -> Invitation | None:
        """A person's invitation to a meeting, if any."""
        return next((i for i in meeting.invitations if i.person_id == person.id), None)

    # Permissions ----------------------------------------------------------------------------

    def is_chair(self, meeting: Meeting) -> bool:
        """The caller chairs the meeting."""
        return meeting.chair_id == self.caller.id

    def is_recorder(self, meeting: Meeting) -> bool:
        """The caller may record decisions and actions: chair or minute-taker."""
        invitation = self.invitation(meeting, self.caller)
        return self.is_chair(meeting) or (
            invitation is not None and invitation.role == "minute-taker"
        )

    def is_invitee(self, meeting: Meeting) -> bool:
        """The caller chairs or is invited to the meeting."""
        return self.is_chair(meeting) or self.invitation(meeting, self.caller) is not None

    def require_chair(self, meeting: Meeting, doing: str) -> None:
        """Refuse anyone but the chair, saying who can."""
        if not self.is_chair(meeting):
            self.fail(
                "only_chair", meeting=meeting.ref, chair=meeting.chair.display_name, doing=doing
            )

    def require_recorder(self, meeting: Meeting, doing: str) -> None:
        """Refuse anyone but the chair or a minute-taker."""
        if not self.is_recorder(meeting):
            self.fail(
                "only_recorder",
                meeting=meeting.ref,
                chair=meeting.chair.display_name,
                doing=doing,
                caller=self.caller.display_name,
            )

    def require_invitee(self, meeting: Meeting, doing: str) -> None:
        """Refuse anyone not invited, saying who can invite them."""
        if not self.is_invitee(meeting):
            self.fail(
                "only_invitees", meeting=meeting.ref, chair=meeting.chair.display_name, doing=doing
            )


def locked(query: Select[Row], entity: type[Row]) -> Select[Row]:
    """The query with its rows locked (FOR UPDATE OF the entity) and read afresh.

    `populate_existing` matters: a row already in the session is overwritten by the locked
    read, so the checks that follow see what the last committed command left.
    SQLite ignores the lock; it runs one writing transaction at a time (storage.db).
    """
    return query.with_for_update(of=entity).execution_options(populate_existing=True)


def _recipient(person: Person) -> Recipient:
    return Recipient(external_id=person.external_id, display_name=person.display_name)


def person_for(session: Session, workspace: Workspace, user: UserRef) -> Person:
    """The person row for a platform user, created on first sight and kept up to date."""
    person = session.scalar(
        select(Person).where(
            Person.workspace_id == workspace.id, Person.external_id == user.external_id
        )
    )
    if person is None:
        person = Person(
            workspace_id=workspace.id,
            external_id=user.external_id,
            display_name=user.display_name,
            timezone=user.timezone,
            email=user.email,
        )
        session.add(person)
        session.flush()  # first seen by two commands at once: the core runs the loser again
        return person
    if user.display_name and person.display_name != user.display_name:
        person.display_name = user.display_name
    if user.timezone and person.timezone != user.timezone:
        person.timezone = user.timezone
    return person
