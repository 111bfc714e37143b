"""The entry point every platform calls: one request in, a transaction, messages out."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commands import catalogue  # noqa: F401 - registers every command
from commands.context import Context, person_for
from commands.errors import CommandError
from commands.governance.guard import guard_text
from commands.governance.pii import EMAIL
from commands.governance.policy import Governance
from commands.language.grammar import first_word, meeting_number, nearest
from commands.language.workdays import WorkingCalendar
from commands.messages import Directory, Message, Recipient, Request
from commands.registry import ALIASES, COMMANDS, lookup
from storage.db import Store
from storage.models import Meeting, Workspace

log = logging.getLogger(__name__)

CAPTURE = re.compile(r"^\s*(decision|agreed|action|agenda|note)\s*:\s*(.*)$", re.IGNORECASE | re.S)
CAPTURE_COMMAND = {
    "decision": "decision",
    "agreed": "decision",
    "action": "action",
    "agenda": "agenda",
    "note": "note",
}


@dataclass(frozen=True)
class CoreSettings:
    """Workspace defaults: zone and the UK nation whose bank holidays count."""

    timezone: str = "Europe/London"
    holidays_nation: str = "England and Wales"
    governance: Governance = field(default_factory=Governance)
    invite_domain: str = "localhost"


def _example(word: str) -> str | None:
    """The example of the command a word names, for mistakes that bring none of their own."""
    spec = lookup(word)
    return spec.example if spec else None


@cache
def calendar_for(nation: str) -> WorkingCalendar:
    """One working calendar per UK nation, shared."""
    return WorkingCalendar(nation)


class Core:
    """Runs /mdt commands and thread captures for every platform."""

    def __init__(self, store: Store, settings: CoreSettings | None = None) -> None:
        self.store = store
        self.settings = settings or CoreSettings()

    def handle_command(self, request: Request, directory: Directory) -> list[Message]:
        """Run the text after `/mdt` as a command from the request's user."""
        return self._run(request, directory, request.text, captured=False)

    def handle_message(self, request: Request, directory: Directory) -> list[Message]:
        """Record a `decision:`/`action:`/`agenda:`/`note:` line if a meeting runs here."""
        match = CAPTURE.match(request.text)
        if not match:
            return []
        text = f"{CAPTURE_COMMAND[match.group(1).lower()]} {match.group(2).strip()}"
        return self._run(request, directory, text, captured=True)

    def _run(
        self, request: Request, directory: Directory, text: str, *, captured: bool
    ) -> list[Message]:
        word, args = first_word(text)
        if captured and not self._meeting_running(request):
            return []
        try:
            with self.store.transaction(request.now) as session:
                ctx = self._context(session, request, directory, captured=captured)
                session.info["actor_id"] = ctx.caller.id
                session.info["workspace_id"] = ctx.workspace.id
                self._guard(ctx, word, args)
                self._dispatch(ctx, word, args)
                return ctx.messages
        except CommandError as error:
            context = {"example": _example(word), **error.context}
            return [self._private(request, f"errors:{error.name}", context)]
        except IntegrityError:
            if captured and request.message_id:
                return []  # the platform delivered this message twice: recorded once already
            return self._unexpected(request)
        except Exception:
            return self._unexpected(request)

    @staticmethod
    def _guard(ctx: Context, word: str, args: str) -> None:
        """No personal data in any text of any command: an invitee's address is no content."""
        spec = lookup(word)
        guard_text(ctx, EMAIL.sub(" ", args) if spec and spec.name == "invite" else args)

    def _dispatch(self, ctx: Context, word: str, args: str) -> None:
        if not word:
            COMMANDS["help"].handler(ctx, "")
            return
        spec = lookup(word)
        if spec is None:
            guess = nearest(word, list(COMMANDS) + list(ALIASES))
            ctx.fail("unknown_command", word=word, guess=ALIASES.get(guess or "", guess))
        spec.handler(ctx, args.strip())

    def _context(
        self, session: Session, request: Request, directory: Directory, *, captured: bool
    ) -> Context:
        workspace = self.workspace(session, request.platform, request.workspace)
        caller = person_for(session, workspace, request.user)
        return Context(
            session=session,
            request=request,
            workspace=workspace,
            caller=caller,
            directory=directory,
            calendar=calendar_for(workspace.holidays_nation),
            captured=captured,
            governance=self.settings.governance,
            invite_domain=self.settings.invite_domain,
        )

    def workspace(self, session: Session, platform: str, external_id: str) -> Workspace:
        """The workspace row, created with the configured defaults on first use."""
        workspace = session.scalar(
            select(Workspace).where(
                Workspace.platform == platform, Workspace.external_id == external_id
            )
        )
        if workspace is None:
            workspace = Workspace(
                platform=platform,
                external_id=external_id,
                name=external_id,
                timezone=self.settings.timezone,
                holidays_nation=self.settings.holidays_nation,
                next_meeting_number=1,
                next_action_number=1,
                created_at=session.info["now"],
            )
            session.add(workspace)
            session.flush()
        return workspace

    def set_thread(
        self, platform: str, workspace: str, meeting_ref: str, thread_id: str, now: datetime
    ) -> bool:
        """Remember the thread a meeting captures from; False when there is no such meeting."""
        number = meeting_number(meeting_ref)
        if number is None:
            return False
        with self.store.transaction(now) as session:
            meeting = session.scalar(
                select(Meeting)
                .join(Workspace, Meeting.workspace_id == Workspace.id)
                .where(
                    Workspace.platform == platform,
                    Workspace.external_id == workspace,
                    Meeting.number == number,
                )
            )
            if meeting is None:
                return False
            session.info["workspace_id"] = meeting.workspace_id
            meeting.thread_id = thread_id
            return True

    def meeting_running(
        self,
        platform: str,
        workspace: str,
        channel: str,
        now: datetime,
        *,
        thread_id: str | None = None,
    ) -> bool:
        """A meeting is running in the channel (and, when given, has this thread as its own)."""
        query = (
            select(Meeting.id)
            .join(Workspace, Meeting.workspace_id == Workspace.id)
            .where(
                Workspace.platform == platform,
                Workspace.external_id == workspace,
                Meeting.channel == channel,
                Meeting.status == "running",
            )
        )
        if thread_id is not None:
            query = query.where(Meeting.thread_id == thread_id)
        with self.store.transaction(now) as session:
            return session.scalar(query.limit(1)) is not None

    def _meeting_running(self, request: Request) -> bool:
        return self.meeting_running(
            request.platform, request.workspace, request.channel, request.now
        )

    def _private(self, request: Request, template: str, context: dict[str, object]) -> Message:
        return Message(
            audience="private",
            template=template,
            context=context,
            zone=request.user.timezone or self.settings.timezone,
            channel=request.channel,
            recipient=Recipient(request.user.external_id, request.user.display_name),
        )

    def _unexpected(self, request: Request) -> list[Message]:
        reference = secrets.token_hex(4).upper()
        log.exception(
            "unexpected error, reference %s, command word %r",
            reference,
            first_word(request.text)[0],
        )
        return [self._private(request, "errors:unexpected", {"reference": reference})]
