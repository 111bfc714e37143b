"""The Teams-side step after a meeting is created, moved or cancelled: the Outlook invite."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.render import Renderer
from bot.teams.graph import EventFacts, GraphCalendar, GraphError
from bot.teams.records import PLATFORM
from commands.language.grammar import meeting_number
from commands.messages import Message
from storage.conversations import CalendarEvent
from storage.db import Store
from storage.models import Meeting, Workspace

log = logging.getLogger(__name__)
PROVIDER = "outlook"
CHANGES = {"meeting:created": "create", "meeting:moved": "move", "meeting:cancelled": "cancel"}


def _plain_name(person: object) -> str:
    return str(getattr(person, "name", None) or getattr(person, "display_name", person))


class OutlookInvites:
    """Keeps an Outlook event in step with each meeting; the .ics stays when Graph cannot."""

    def __init__(self, *, store: Store, calendar: GraphCalendar, tenant_id: str) -> None:
        self.store = store
        self.calendar = calendar
        self.tenant_id = tenant_id
        self.renderer = Renderer(mention=_plain_name)

    def process(self, messages: list[Message], now: datetime) -> list[Message]:
        """Create, move or cancel the event a meeting's messages speak of; drop its .ics if done."""
        handled: set[str] = set()
        for message in messages:
            change = CHANGES.get(message.template)
            ref = message.meta.get("meeting")
            if change is None or not ref or str(ref) in handled:
                continue
            try:
                if self._apply(change, str(ref), message, now):
                    handled.add(str(ref))
            except GraphError as error:
                log.warning("Outlook invite for %s not updated: %s", ref, error)
        if not handled:
            return messages
        return [
            replace(
                m, attachments=tuple(a for a in m.attachments if a.media_type != "text/calendar")
            )
            if str(m.meta.get("meeting", "")) in handled
            else m
            for m in messages
        ]

    def _meeting(self, session: Session, ref: str) -> Meeting | None:
        number = meeting_number(ref)
        return session.scalar(
            select(Meeting)
            .join(Workspace, Meeting.workspace_id == Workspace.id)
            .where(
                Workspace.platform == PLATFORM,
                Workspace.external_id == self.tenant_id,
                Meeting.number == number,
            )
        )

    def _facts(self, meeting: Meeting) -> EventFacts:
        body = Message(
            audience="private",
            template="teams:event_body",
            context={
                "ref": meeting.ref,
                "title": meeting.title,
                "chair": meeting.chair.display_name,
            },
            zone=meeting.timezone,
        )
        attendees = tuple(
            (i.person.display_name, i.person.email) for i in meeting.invitations if i.person.email
        )
        return EventFacts(
            subject=f"{meeting.ref} {meeting.title}",
            body=self.renderer.render(body),
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            attendees=attendees,
            transaction_id=f"mdt-{self.tenant_id}-{meeting.id}",
        )

    def _apply(self, change: str, ref: str, message: Message, now: datetime) -> bool:
        with self.store.transaction(now) as session:
            meeting = self._meeting(session, ref)
            if meeting is None:
                return False
            facts = self._facts(meeting)
            meeting_id, workspace_id = meeting.id, meeting.workspace_id
            event = session.scalar(
                select(CalendarEvent).where(
                    CalendarEvent.meeting_id == meeting.id, CalendarEvent.provider == PROVIDER
                )
            )
            event_id = event.event_id if event else None
        if change == "create" and event_id is None:
            new_id, join_url = self.calendar.create(facts)
            with self.store.transaction(now, workspace_id=workspace_id) as session:
                session.add(
                    CalendarEvent(
                        meeting_id=meeting_id,
                        provider=PROVIDER,
                        event_id=new_id,
                        join_url=join_url,
                        updated_at=now,
                    )
                )
            return True
        if event_id is None:
            return False
        if change == "move":
            self.calendar.move(event_id, facts)
        elif change == "cancel":
            self.calendar.cancel(event_id, str(message.context.get("reason") or ""))
        with self.store.transaction(now, workspace_id=workspace_id) as session:
            row = session.scalar(
                select(CalendarEvent).where(
                    CalendarEvent.meeting_id == meeting_id, CalendarEvent.provider == PROVIDER
                )
            )
            if row is not None:
                row.updated_at = now
        return True
