"""Sends platform-free messages into Teams: channels, reply chains, 1:1 chats, proactively."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from bot.teams import records
from bot.teams.cards import TeamsText, message_activities
from bot.teams.connector import Connector, ConnectorError, UnreachableError
from commands.core import Core
from commands.language.grammar import meeting_number
from commands.messages import Message, Recipient
from commands.outbox.queue import hand_over
from storage.db import Store

log = logging.getLogger(__name__)
# A message meta key: the message starts the thread of this meeting in its channel.
ROOT = "thread_root_for"
PLATFORM = "teams"


class NoRouteError(LookupError):
    """The bot has no way yet to reach a channel or a person."""


@dataclass(frozen=True)
class Origin:
    """The conversation an inbound activity came from, and how to answer in it."""

    service_url: str
    tenant_id: str
    conversation_id: str
    base_id: str
    conversation_type: str
    thread_id: str | None
    bot_id: str
    activity_id: str

    @property
    def channel_key(self) -> str:
        """The channel name the records use for this conversation."""
        return records.conversation_key(self.base_id)


def _ref_of(value: Any) -> str | None:
    ref = getattr(value, "ref", None)
    return str(ref) if ref else None


class TeamsDelivery:
    """Renders messages as cards and sends them where they go; reports the activity id."""

    def __init__(
        self,
        *,
        store: Store,
        core: Core,
        connector: Connector,
        app_id: str,
        tenant_id: str,
        clock: Callable[[], datetime],
        text: TeamsText | None = None,
    ) -> None:
        self.store = store
        self.core = core
        self.connector = connector
        self.app_id = app_id
        self.tenant_id = tenant_id
        self.clock = clock
        self.text = text or TeamsText()

    @property
    def bot_id(self) -> str:
        """The bot's id in Teams conversations."""
        return f"28:{self.app_id}"

    # Where things go ------------------------------------------------------------------------

    def deliver(
        self, message: Message, origin: Origin | None = None, *, strict: bool = False
    ) -> str | None:
        """Send one message; its activity id, or None when it could not go (logged).

        With `strict`, failures raise instead (the worker decides about retrying).
        """
        first, *rest = message_activities(message, self.text)
        sent = self._deliver(message, origin, first, strict=strict)
        if sent is not None and rest:
            follow = replace(message, meta={k: v for k, v in message.meta.items() if k != ROOT})
            for activity in rest:
                self._deliver(follow, origin, activity, strict=False)
        return sent

    def _deliver(
        self, message: Message, origin: Origin | None, activity: dict[str, Any], *, strict: bool
    ) -> str | None:
        try:
            if message.audience in {"channel", "thread"}:
                return self._to_channel(message, activity, origin)
            if (
                message.audience == "private"
                and origin is not None
                and origin.conversation_type == "personal"
            ):
                return self._send(origin.service_url, origin.conversation_id, activity)
            assert message.recipient is not None, "a private message or DM has a recipient"
            return self._to_person(message.recipient, activity)
        except UnreachableError:
            if strict:
                raise  # the worker marks the person and tells the chair
            if message.recipient is not None:
                self.mark_unreachable(message.recipient, message)
            return None
        except (ConnectorError, NoRouteError) as error:
            if strict:
                raise
            if _transient(error) and message.audience != "private":
                # Teams failed rather than refused: the worker tries it again for up to a
                # day, and tells the chair if it never goes.
                log.warning("Teams failed message %s (%s); queued", message.template, error)
                hand_over(self.store, PLATFORM, self.tenant_id, message, self.clock())
                return None
            log.warning("Teams message %s not delivered: %s", message.template, error)
            return None

    def _send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        result = self.connector.send(service_url, conversation_id, activity)
        return str(result.get("id", ""))

    def _to_channel(self, message: Message, activity: dict[str, Any], origin: Origin | None) -> str:
        key = message.channel or (origin.channel_key if origin else None)
        route: records.Route | None
        if origin is not None and key == origin.channel_key:
            route = records.Route(origin.service_url, origin.base_id, origin.conversation_type)
        else:
            with self.store.transaction(self.clock()) as session:
                route = records.channel_route(session, self.tenant_id, key or "")
        if route is None:
            raise NoRouteError(f"no conversation reference for channel {key}")
        in_channel = route.conversation_type == "channel"
        root_for = message.meta.get(ROOT)
        if message.audience == "thread" and message.thread_id and in_channel:
            return self._reply(route, message.thread_id, activity)
        if root_for or not in_channel:
            sent = self._send(route.service_url, route.conversation_id, activity)
            if root_for and in_channel and sent:
                self.core.set_thread(PLATFORM, self.tenant_id, str(root_for), sent, self.clock())
            return sent
        if origin is not None and origin.thread_id and key == origin.channel_key:
            return self._reply(route, origin.thread_id, activity)
        return self._send(route.service_url, route.conversation_id, activity)

    def _reply(self, route: records.Route, thread_id: str, activity: dict[str, Any]) -> str:
        chain = f"{route.conversation_id};messageid={thread_id}"
        result = self.connector.reply(route.service_url, chain, thread_id, activity)
        return str(result.get("id", ""))

    def _to_person(self, recipient: Recipient, activity: dict[str, Any]) -> str:
        route = self.personal_route(recipient.external_id)
        return self._send(route.service_url, route.conversation_id, activity)

    def personal_route(self, external_id: str) -> records.Route:
        """The 1:1 chat with a person, opened (and remembered) when the bot has none yet."""
        now = self.clock()
        with self.store.transaction(now) as session:
            route = records.personal_route(session, self.tenant_id, external_id)
            user = records.user_by_external_id(session, self.tenant_id, external_id)
            service_url = user.service_url if user else None
            member_id = user.platform_user_id if user else external_id
            service_url = service_url or records.any_service_url(session, self.tenant_id)
        if route is not None:
            return route
        if service_url is None:
            raise NoRouteError(f"no service URL known for tenant {self.tenant_id}")
        conversation_id = self.connector.create_conversation(
            service_url, bot_id=self.bot_id, user_id=member_id, tenant_id=self.tenant_id
        )
        with self.store.transaction(now) as session:
            records.remember_conversation(
                session,
                tenant_id=self.tenant_id,
                conversation_id=conversation_id,
                conversation_type="personal",
                service_url=service_url,
                bot_id=self.bot_id,
                user_external_id=external_id,
                now=now,
            )
        return records.Route(service_url, conversation_id, "personal")

    # Someone who blocked the bot ------------------------------------------------------------

    def mark_unreachable(self, recipient: Recipient, message: Message) -> None:
        """Mark the person unreachable and, the first time, tell the chair concerned."""
        now = self.clock()
        with self.store.transaction(now) as session:
            person = records.person(session, self.tenant_id, recipient.external_id)
            if person is None or person.unreachable:
                return
            session.info["workspace_id"] = person.workspace_id
            person.unreachable = True
            chair = self._chair(session, message)
            chair_ref = (chair.external_id, chair.display_name) if chair else None
            chair_zone = chair.timezone if chair else None
        if chair_ref is None or chair_ref[0] == recipient.external_id:
            return
        notice = Message(
            audience="dm",
            template="teams:unreachable",
            context={
                "person": SimpleNamespace(
                    name=recipient.display_name, external_id=recipient.external_id
                ),
                "about": self._about(message),
            },
            zone=chair_zone or self.core.settings.timezone,
            recipient=Recipient(*chair_ref),
        )
        self.deliver(notice)

    def _chair(self, session: Any, message: Message) -> Any:
        meeting = message.context.get("meeting")
        chair = getattr(meeting, "chair", None)
        if chair is not None and getattr(chair, "external_id", None):
            return records.person(session, self.tenant_id, str(chair.external_id))
        for key in ("action", "meeting"):
            item = message.context.get(key)
            ref = getattr(item, "meeting_ref", None) or _ref_of(item)
            number = meeting_number(ref) if ref else None
            if number is not None:
                return records.meeting_chair(session, self.tenant_id, number)
        ref = message.meta.get("meeting")
        number = meeting_number(str(ref)) if ref else None
        return records.meeting_chair(session, self.tenant_id, number) if number else None

    @staticmethod
    def _about(message: Message) -> str:
        for key in ("action", "meeting"):
            ref = _ref_of(message.context.get(key))
            if ref:
                return ref
        return str(message.meta.get("meeting") or "")


def _transient(error: Exception) -> bool:
    """A Bot Connector failure worth trying again later: throttled, a server error, no network."""
    return isinstance(error, ConnectorError) and (error.status == 429 or error.status >= 500)
