"""The Slack bot: turns Slack payloads into core requests, acks first, then does the work."""

from __future__ import annotations

import functools
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.exc import DBAPIError

from bot.clock import Clock
from bot.config import DEFAULT_QUEUE_CAPACITY, Settings
from bot.slack import listeners
from bot.slack.dedupe import first_time
from bot.slack.delivery import PLATFORM, Delivery, Sent, Target
from bot.slack.directory import Profile, SlackDirectory, TTLCache
from bot.slack.install import build_bolt_app
from commands.context import Context
from commands.core import Core
from commands.messages import Message, Recipient, Request
from commands.outbox.queue import hand_over
from storage.db import Store
from storage.reach import unreachable

log = logging.getLogger(__name__)


@dataclass
class Registered:
    """What the app listens to, kept so the manifest can be checked against it."""

    commands: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    shortcuts: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)


class SlackBot:
    """One Bolt app and what its listeners share: the core, the clock, the worker threads."""

    def __init__(
        self,
        app: App,
        core: Core,
        store: Store,
        clock: Clock,
        *,
        workers: int = 8,
        capacity: int = DEFAULT_QUEUE_CAPACITY,
        cache: TTLCache[Profile] | None = None,
    ) -> None:
        self.app = app
        self.core = core
        self.store = store
        self.clock = clock
        self.delivery = Delivery()
        self.cache: TTLCache[Profile] = cache or TTLCache()
        self.registered = Registered()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mdt-slack")
        self.capacity = capacity
        self._outstanding = 0
        self._idle = threading.Condition()
        self._delivery = threading.local()
        app.middleware(self._dedupe)
        app.error(self._error)

    # Work after the ack --------------------------------------------------------------------

    def later(self, work: Callable[..., object], *args: Any, may_refuse: bool = True) -> None:
        """Run work on a worker thread after the ack has gone back to Slack.

        Work started while handling a delivery runs only for the first delivery of its id (an
        event id or trigger id), checked on the worker thread so the ack never waits for it.
        During `dispatch` the work is held until the HTTP response has been sent. When
        `capacity` pieces of work are already waiting or running, new work from a delivery is
        not started (nothing is saved) and `dispatch` tells the person the bot is busy; work
        that only reports what is already saved passes `may_refuse=False`.
        """
        key = getattr(self._delivery, "key", None)
        self._delivery.key = None
        held = getattr(self._delivery, "held", None)
        with self._idle:
            full = may_refuse and held is not None and self._outstanding >= self.capacity
            if not full:
                self._outstanding += 1
        if full:
            log.warning("busy: %d pieces of work in hand; one refused", self.capacity)
            self._delivery.busy = args
            return

        def run() -> None:
            try:
                if key is not None and not first_time(self.store, key, self.clock()):
                    log.info("ignored a repeated delivery of %s", key.split(":", 1)[0])
                    return
                work(*args)
            except DBAPIError as error:
                if not unreachable(error):
                    log.exception("slack work failed, reference %s", secrets.token_hex(4).upper())
                else:
                    self.tell_database_down(args)
            except Exception:
                reference = secrets.token_hex(4).upper()
                log.exception("slack work failed, reference %s", reference)
            finally:
                self.done()

        if held is not None:
            held.append(run)
        else:
            self._executor.submit(run)

    def done(self) -> None:
        """One piece of work (or a busy notice) has finished."""
        with self._idle:
            self._outstanding -= 1
            self._idle.notify_all()

    def tell_database_down(self, args: tuple[Any, ...]) -> None:
        """Tell the person whose work could not reach the database, without the database."""
        if self.tell(args, "errors:database_down"):
            log.warning("database unreachable; a Slack user told nothing was saved")
        else:
            log.warning("database unreachable; work for nobody in particular dropped")

    def tell(self, args: tuple[Any, ...], template: str) -> bool:
        """Say a private notice to the person some work was for, without the database.

        The work's arguments name them: its Target, and the channel (the string after the
        target) or the event (a dict with its channel and thread) it came from. False when
        they name nobody.
        """
        target = next((a for a in args if isinstance(a, Target)), None)
        if target is None:
            return False
        after = args[args.index(target) + 1 :]
        event = next((a for a in after if isinstance(a, dict)), {})
        channel = event.get("channel") or next((a for a in after if isinstance(a, str)), None)
        notice = Message(
            audience="private",
            template=template,
            context={},
            zone=self.core.settings.timezone,
            channel=str(channel) if channel else None,
            recipient=Recipient(target.user_id, ""),
            thread_id=str(event["thread_ts"]) if event.get("thread_ts") else None,
        )
        try:
            self.delivery.send_all([notice], target)
        except Exception as error:  # Slack itself may be failing too
            log.warning("could not tell the user %s: %s", template, type(error).__name__)
        return True

    @functools.cached_property
    def busy_text(self) -> str:
        """The words that say the bot is too busy to take this now (rendered once: an
        overloaded server should spend nothing on saying so)."""
        message = Message(
            audience="private", template="errors:busy", context={}, zone=self.core.settings.timezone
        )
        return self.delivery.renderer.render(message)

    def dispatch(self, request: BoltRequest) -> tuple[BoltResponse, list[Callable[[], None]]]:
        """Dispatch a request to Bolt, returning its ack and the work to start once it is sent.

        When the work was refused for want of room, a slash command's ack says so (Slack
        shows it to the person only); for anything else the notice is sent once the ack is.
        """
        self._delivery.held = []
        self._delivery.busy = None
        try:
            response = self.app.dispatch(request)
        except BaseException:
            self.start(self._delivery.held)
            raise
        finally:
            held, self._delivery.held = self._delivery.held, None
            busy, self._delivery.busy = self._delivery.busy, None
        if busy is not None:
            if isinstance(request.body.get("command"), str):
                reply = {"response_type": "ephemeral", "text": self.busy_text}
                response = BoltResponse(
                    status=200,
                    body=json.dumps(reply),
                    headers={"content-type": "application/json;charset=utf-8"},
                )
            else:
                with self._idle:
                    self._outstanding += 1  # so `drain` waits for the notice too
                held.append(Notice(self, busy))
        return response, held

    def blocks(self, held: list[Callable[[], None]]) -> bool:
        """Starting this held work waits on Slack (a busy notice is among it)."""
        return any(isinstance(run, Notice) for run in held)

    def start(self, held: list[Callable[[], None]]) -> None:
        """Start work held back by `dispatch`; a busy notice is sent here and now."""
        for run in held:
            if isinstance(run, Notice):
                run()
            else:
                self._executor.submit(run)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until all work started so far (and any it started) has finished."""
        with self._idle:
            self._idle.wait_for(lambda: self._outstanding == 0, timeout=timeout)

    def close(self) -> None:
        """Finish the work in hand and stop the worker threads."""
        self.drain()
        self._executor.shutdown(wait=True)

    # Requests -------------------------------------------------------------------------------

    def directory(self, client: WebClient, team_id: str) -> SlackDirectory:
        """The people of one workspace."""
        return SlackDirectory(client, team_id, self.cache)

    def request(
        self,
        client: WebClient,
        team_id: str,
        user_id: str,
        channel: str,
        text: str,
        *,
        user_name: str = "",
        thread_id: str | None = None,
        message_id: str | None = None,
    ) -> tuple[Request, SlackDirectory]:
        """The platform-free request for something a Slack user did, and their directory."""
        directory = self.directory(client, team_id)
        return (
            Request(
                platform=PLATFORM,
                workspace=team_id,
                user=directory.user(user_id, user_name),
                channel=channel,
                text=text,
                now=self.clock(),
                thread_id=thread_id,
                message_id=message_id,
            ),
            directory,
        )

    def run_command(
        self,
        target: Target,
        channel: str,
        text: str,
        *,
        user_name: str = "",
        message_id: str | None = None,
    ) -> list[Message]:
        """Run `/mdt <text>` as the target's user through the core."""
        request, directory = self.request(
            target.client,
            target.team_id,
            target.user_id,
            channel,
            text,
            user_name=user_name,
            message_id=message_id,
        )
        return self.core.handle_command(request, directory)

    def perform(
        self,
        target: Target,
        channel: str,
        work: Callable[[Context], object],
        *,
        command: str,
        texts: Iterable[str] = (),
        user_name: str = "",
        message_id: str | None = None,
        captured: bool = False,
    ) -> list[Message]:
        """Run a typed use case (a form, a shortcut, the Home tab) as the target's user."""
        request, directory = self.request(
            target.client,
            target.team_id,
            target.user_id,
            channel,
            "",
            user_name=user_name,
            message_id=message_id,
        )
        return self.core.run_use_case(
            request, directory, work, command=command, texts=texts, captured=captured
        )

    def press(
        self, target: Target, channel: str, command: str, typed: str = "", user_name: str = ""
    ) -> list[Message]:
        """A button's command as the target's user, with any words typed into its box."""
        request, directory = self.request(
            target.client, target.team_id, target.user_id, channel, "", user_name=user_name
        )
        return self.core.handle_button(request, directory, command, typed)

    def command_and_send(self, target: Target, channel: str, text: str, user_name: str) -> None:
        """Run a command and send what it says."""
        self.send(self.run_command(target, channel, text, user_name=user_name), target)

    def send(self, messages: list[Message], target: Target) -> list[Sent]:
        """Deliver messages to Slack, then record what came of it: the thread a started
        meeting captures from, and any post Slack failed to take, handed to the outbox (the
        worker tries it again for up to a day and tells the chair if it never goes)."""
        outcome = self.delivery.send_all(messages, target)
        for message, why in outcome.failed:
            log.warning(
                "slack failed a %s message (%s): %s; queued",
                message.audience,
                message.template,
                why,
            )
            hand_over(self.core.store, PLATFORM, target.team_id, message, self.clock())
        for one in outcome.sent:
            ref = one.message.meta.get("thread_root_for")
            if isinstance(ref, str) and one.ts:
                self.core.set_thread(PLATFORM, target.team_id, ref, one.ts, self.clock())
        return outcome.sent

    # Global middleware and error handler ----------------------------------------------------

    def _dedupe(self, body: dict[str, Any], next_: Callable[[], None]) -> BoltResponse | None:
        """Handle each event or interaction once, even when Slack retries or a body is replayed.

        Forms are run while Slack waits (their errors go back inline), so they are checked here;
        everything else is checked by `later`, off the ack path (the listener runs on this thread).
        """
        key = None
        if body.get("type") == "event_callback" and isinstance(body.get("event_id"), str):
            key = f"event:{body['event_id']}"
        elif isinstance(body.get("trigger_id"), str):
            key = f"trigger:{body['trigger_id']}"
        self._delivery.key = None
        if key is not None and body.get("type") == "view_submission":
            try:
                seen = not first_time(self.store, key, self.clock())
            except DBAPIError as error:
                if not unreachable(error):
                    raise
                seen = False  # the form's command will say the records are out of reach
            if seen:
                log.info("ignored a repeated delivery of a form")
                return BoltResponse(status=200, body="")
        else:
            self._delivery.key = key
        next_()
        return None

    def _error(self, error: Exception, body: dict[str, Any]) -> None:
        reference = secrets.token_hex(4).upper()
        log.error(
            "slack listener failed, reference %s, type %s: %s",
            reference,
            body.get("type") or body.get("command"),
            type(error).__name__,
        )


@dataclass(frozen=True)
class Notice:
    """The busy notice for refused work, sent off the worker threads (they are full)."""

    bot: SlackBot
    args: tuple[Any, ...]

    def __call__(self) -> None:
        try:
            if not self.bot.tell(self.args, "errors:busy"):
                log.warning("busy: work for nobody in particular refused")
        finally:
            self.bot.done()


def build_slack_bot(
    settings: Settings, store: Store, core: Core, clock: Clock, *, workers: int = 8
) -> SlackBot:
    """The Bolt app for these settings with every listener registered."""
    bot = SlackBot(
        build_bolt_app(settings, store),
        core,
        store,
        clock,
        workers=workers,
        capacity=settings.queue_capacity,
    )
    listeners.register(bot)
    return bot
