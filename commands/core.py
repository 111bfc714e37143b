"""The entry point every platform calls: one request in, a transaction, messages out."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from commands import catalogue  # noqa: F401 - registers every command
from commands.context import Context, person_for
from commands.email.routing import route_email
from commands.errors import CommandError
from commands.governance.guard import guard_text
from commands.governance.policy import Governance
from commands.language import sanitise
from commands.language.grammar import clean_text, first_word, meeting_number, nearest
from commands.language.workdays import WorkingCalendar
from commands.messages import Button, Directory, Message, Recipient, Request
from commands.outbox.queue import queue_for_platform
from commands.people.email_people import without_named_addresses
from commands.presses import press
from commands.record.capture import read_line
from commands.registry import ALIASES, COMMANDS, lookup
from storage.db import Store
from storage.lookups import workspace_of
from storage.models import Meeting, Workspace
from storage.reach import unreachable
from storage.status import MeetingStatus

log = logging.getLogger(__name__)

CAPTURE = re.compile(r"^\s*(decision|agreed|action|agenda|note)\s*:\s*(.*)$", re.IGNORECASE | re.S)
# How long after a meeting ends a capture line in its channel is still answered.
RECENTLY_ENDED = timedelta(days=7)


@dataclass(frozen=True)
class Situation:
    """For a line typed in a channel: the meeting it goes to, those running, one just ended."""

    target: str | None
    running: list[str]
    ended: str | None


@dataclass(frozen=True)
class CoreSettings:
    """Workspace defaults: zone and the UK nation whose bank holidays count."""

    timezone: str = "Europe/London"
    holidays_nation: str = "England and Wales"
    governance: Governance = field(default_factory=Governance)
    invite_domain: str = "localhost"
    email: bool = True
    mail_organizer: str | None = None  # the deployment's sender, ORGANIZER of emailed invites


def _example(word: str) -> str | None:
    """The example of the command a word names, for mistakes that bring none of their own."""
    spec = lookup(word)
    return spec.example if spec else None


# A command whose transaction lost a race (two first sights of one person, a deadlock, SQLite
# busy) is run again from the start: it rolled back whole and nothing of it was sent.
ATTEMPTS = 3
RACE_STATES = frozenset({"40001", "40P01", "55P03"})  # serialization, deadlock, lock not available


def lost_race(error: IntegrityError | OperationalError) -> bool:
    """The error is one a second run of the same command may not meet."""
    if isinstance(error, IntegrityError):
        return True
    state = getattr(error.orig, "sqlstate", None)
    return state in RACE_STATES or "database is locked" in str(error.orig)


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
        """Run the text after `/mdt` as a command from the request's user.

        With the database out of reach, the answer says so and nothing is saved.
        """
        request, directory = sanitise.request(request), sanitise.SafeDirectory(directory)
        word, args = first_word(request.text)
        try:
            return self._run(request, directory, word, args, captured=False)
        except DBAPIError as error:
            if not unreachable(error):
                raise
            return [self.database_down(request)]

    def handle_message(self, request: Request, directory: Directory) -> list[Message]:
        """Record a `decision:`/`action:`/`agenda:`/`note:` line if a meeting runs here.

        A near miss (`decison:`, `Agreed that ...`) is answered privately with the line to
        type; a capture after the meeting ended says how to add it; a capture with two
        meetings running asks which. Ordinary chat gets nothing. With the database out of
        reach, a line that would be recorded is answered so.
        """
        request, directory = sanitise.request(request), sanitise.SafeDirectory(directory)
        try:
            return self._handle_message(request, directory)
        except DBAPIError as error:
            if not unreachable(error):
                raise
            return [self.database_down(request)] if read_line(request.text) else []

    def database_down(self, request: Request) -> Message:
        """The words for the person when the records cannot be reached (needs no database)."""
        log.warning("database unreachable; %s told nothing was saved", request.platform)
        return self._private(request, "errors:database_down", {})

    def _handle_message(self, request: Request, directory: Directory) -> list[Message]:
        reading = read_line(request.text)
        if reading is None:
            return []
        with self.store.transaction(request.now) as session:
            situation = self._situation(session, request, reading.ref)
        if situation.target is not None and reading.kind == "capture":
            args = reading.arguments
            if (
                reading.ref is None
                and situation.target.startswith("M")
                and reading.command != "dissent"
            ):
                args = f"{situation.target} {reading.text}"
            return self._run(request, directory, reading.command, args, captured=True)
        context: dict[str, object] = {
            "command": reading.command,
            "text": reading.text,
            "suggestion": reading.suggestion,
            "typed": reading.typed,
        }
        if situation.ended is not None and situation.target is None:
            context["meeting"] = situation.ended
            return [self._private(request, "capture:ended", context)]
        if situation.running and situation.target is None:
            context["running"] = situation.running
            return [self._private(request, "capture:which", context)]
        if reading.kind == "hint" and situation.target is not None:
            return [self._private(request, "capture:did_you_mean", context)]
        return []

    def _situation(self, session: Session, request: Request, ref: str | None) -> Situation:
        """Which meeting a line in this channel (or thread) would be recorded in."""
        workspace = self.workspace(session, request.platform, request.workspace)
        here = select(Meeting).where(
            Meeting.workspace_id == workspace.id, Meeting.channel == request.channel
        )
        running = list(
            session.scalars(
                here.where(Meeting.status == MeetingStatus.RUNNING).order_by(Meeting.number)
            )
        )
        refs = [m.ref for m in running]
        if ref is not None:
            number = meeting_number(ref)
            named = next((m for m in running if m.number == number), None)
            if named is not None:
                return Situation(named.ref, refs, None)
            ended = session.scalar(
                here.where(Meeting.number == number, Meeting.status == MeetingStatus.ENDED)
            )
            return Situation(None, refs, ended.ref if ended else None)
        if request.thread_id:
            in_thread = [m for m in running if m.thread_id == request.thread_id]
            if in_thread:
                return Situation(in_thread[0].ref, refs, None)
        if len(running) == 1:
            return Situation(running[0].ref, refs, None)
        if running:
            return Situation(None, refs, None)
        since = request.now - RECENTLY_ENDED
        last = session.scalar(
            here.where(Meeting.status == MeetingStatus.ENDED, Meeting.closed_at >= since)
            .order_by(Meeting.closed_at.desc(), Meeting.number.desc())
            .limit(1)
        )
        return Situation(None, refs, last.ref if last else None)

    def handle_line(self, request: Request, directory: Directory) -> list[Message]:
        """A `decision:`-style line addressed to the bot: run as its command, meeting or not."""
        request, directory = sanitise.request(request), sanitise.SafeDirectory(directory)
        reading = read_line(request.text)
        if reading is None:
            return self.handle_command(request, directory)
        if reading.kind != "capture":
            word, _, rest = request.text.partition(":")
            return self._run(request, directory, word.strip(), rest.strip(), captured=False)
        return self._run(request, directory, reading.command, reading.arguments, captured=False)

    def handle_button(
        self, request: Request, directory: Directory, value: str, typed: str = ""
    ) -> list[Message]:
        """A pressed button (its platform value) as whoever pressed it, with any words typed."""
        request, directory = sanitise.request(request), sanitise.SafeDirectory(directory)
        value, typed = sanitise.platform_text(value), sanitise.platform_text(typed)
        button = Button.pressed(value)
        verb = button.verb if button else ""

        def run(ctx: Context) -> None:
            if button is None:
                ctx.fail("unknown_button")
            words = clean_text(typed, what="what you typed")
            guard_text(ctx, words)
            press(ctx, button, words)

        return self._execute(request, directory, verb, run, captured=False)

    def run_use_case(
        self,
        request: Request,
        directory: Directory,
        work: Callable[[Context], object],
        *,
        command: str,
        texts: Iterable[str] = (),
        captured: bool = False,
    ) -> list[Message]:
        """Run a typed use case (a form, a shortcut) as the command word `command` would be.

        The same transaction, permission replies and error handling as a typed command; every
        free text in `texts` passes the personal-data guard first. (`perform` is the link
        pages' way: everything but the private reply goes to the outbox.)
        """

        def run(ctx: Context) -> None:
            for text in texts:
                guard_text(ctx, text)
            work(ctx)

        request, directory = sanitise.request(request), sanitise.SafeDirectory(directory)
        return self._execute(request, directory, command, run, captured=captured)

    def _run(
        self, request: Request, directory: Directory, word: str, args: str, *, captured: bool
    ) -> list[Message]:
        if captured and not self._meeting_running(request):
            return []
        # No database stores a NUL; none is typed on purpose.
        if sanitise.has_control(word) or sanitise.has_control(args):
            context: dict[str, object] = {"what": "the command", "example": _example(word)}
            return [self._private(request, "errors:control_characters", context)]

        def run(ctx: Context) -> None:
            self._guard(ctx, word, args)
            self._dispatch(ctx, word, args)

        return self._execute(request, directory, word, run, captured=captured)

    def _execute(
        self,
        request: Request,
        directory: Directory,
        word: str,
        work: Callable[[Context], None],
        *,
        captured: bool,
    ) -> list[Message]:
        """Run work in a transaction, again if it lost a race; a mistake becomes a reply."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._attempt(request, directory, work, captured=captured)
            except CommandError as error:
                context = {"example": _example(word), **error.context}
                # A feature may keep its own mistakes beside its replies: `file:key` names them.
                template = error.name if ":" in error.name else f"errors:{error.name}"
                return [self._private(request, template, context)]
            except (IntegrityError, OperationalError) as error:
                if attempt < ATTEMPTS and lost_race(error):
                    log.info("command word %r lost a race; running it again", word)
                    continue
                if isinstance(error, IntegrityError) and captured and request.message_id:
                    return []  # the platform delivered this message twice: recorded once already
                if unreachable(error):
                    return [self.database_down(request)]
                return self._unexpected(request, word)
            except DBAPIError as error:
                if unreachable(error):
                    return [self.database_down(request)]
                return self._unexpected(request, word)
            except Exception:
                return self._unexpected(request, word)
        return self._unexpected(request, word)

    def _attempt(
        self,
        request: Request,
        directory: Directory,
        work: Callable[[Context], None],
        *,
        captured: bool,
    ) -> list[Message]:
        """One run of the work in one transaction; nothing leaves before it commits."""
        with self.store.transaction(request.now) as session:
            ctx = self._context(session, request, directory, captured=captured)
            session.info["actor_id"] = ctx.caller.id
            session.info["workspace_id"] = ctx.workspace.id
            work(ctx)
            return route_email(
                session,
                ctx.workspace,
                ctx.messages,
                ctx.now,
                domain=ctx.invite_domain,
                organizer=self.settings.mail_organizer,
            )

    def perform(
        self, request: Request, directory: Directory, use_case: Callable[[Context], None]
    ) -> list[Message]:
        """Run a use case as the request's user, in one transaction, as a command would.

        For the link pages: what it says privately comes back; everything else it sends
        (channel posts, direct messages, email) goes to the outbox in the same transaction.
        """
        try:
            with self.store.transaction(request.now) as session:
                ctx = self._context(session, request, directory, captured=False)
                session.info["actor_id"] = ctx.caller.id
                session.info["workspace_id"] = ctx.workspace.id
                use_case(ctx)
                messages = route_email(
                    session,
                    ctx.workspace,
                    ctx.messages,
                    ctx.now,
                    domain=ctx.invite_domain,
                    organizer=self.settings.mail_organizer,
                )
                return queue_for_platform(session, ctx.workspace, messages, ctx.now)
        except CommandError as error:
            return [self._private(request, f"errors:{error.name}", dict(error.context))]
        except Exception:
            return self._unexpected(request, "")

    @staticmethod
    def _guard(ctx: Context, word: str, args: str) -> None:
        """No personal data in any text of any command: an invitee's address is no content."""
        spec = lookup(word)
        guard_text(ctx, without_named_addresses(spec.name, args) if spec else args)

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
            email_enabled=self.settings.email,
        )

    def workspace(self, session: Session, platform: str, external_id: str) -> Workspace:
        """The workspace row, created with the configured defaults on first use."""
        workspace = workspace_of(session, platform, external_id)
        if workspace is None:
            workspace = Workspace(
                platform=platform,
                external_id=external_id,
                name=external_id,
                timezone=self.settings.timezone,
                holidays_nation=self.settings.holidays_nation,
                next_meeting_number=1,
                next_disagreement_number=1,
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
                Meeting.status == MeetingStatus.RUNNING,
            )
        )
        if thread_id is not None:
            query = query.where(Meeting.thread_id == thread_id)
        with self.store.transaction(now) as session:
            return session.scalar(query.limit(1)) is not None

    def listening(
        self, platform: str, workspace: str, channel: str, now: datetime, *, thread_id: str
    ) -> bool:
        """A meeting's thread where lines may be recorded, or answered: running or just ended."""
        query = (
            select(Meeting.id)
            .join(Workspace, Meeting.workspace_id == Workspace.id)
            .where(
                Workspace.platform == platform,
                Workspace.external_id == workspace,
                Meeting.channel == channel,
                Meeting.thread_id == thread_id,
                or_(
                    Meeting.status == MeetingStatus.RUNNING,
                    (Meeting.status == MeetingStatus.ENDED)
                    & (Meeting.closed_at >= now - RECENTLY_ENDED),
                ),
            )
        )
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

    def _unexpected(self, request: Request, word: str) -> list[Message]:
        reference = secrets.token_hex(4).upper()
        log.exception("unexpected error, reference %s, command word %r", reference, word)
        return [self._private(request, "errors:unexpected", {"reference": reference})]
