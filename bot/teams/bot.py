"""The Teams bot: one authenticated activity in, the core run, cards and replies out."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.http_edge import RefusedError, loads
from bot.teams import records
from bot.teams.auth import AuthError, InboundAuth
from bot.teams.cards import (
    CARD_TYPE,
    NEW_VERB,
    VERB,
    adaptive_card,
    card_actions,
    meeting_form,
    message_activities,
    new_meeting_form,
    submitted_text,
    text_blocks,
)
from bot.teams.connector import ConnectorError
from bot.teams.delivery import Origin, TeamsDelivery
from bot.teams.invites import OutlookInvites
from commands.core import Core
from commands.language.grammar import action_number, meeting_number
from commands.language.sanitise import display_name
from commands.meetings.forms import schedule_from_form
from commands.messages import Button, Message, Recipient, Request, UserRef
from commands.people.naming import action_buttons, meeting_buttons
from commands.record.capture import read_line
from commands.reviews.meeting_review import review_buttons
from storage.db import Store
from storage.models import ProcessedEvent
from storage.reach import unreachable

log = logging.getLogger(__name__)

PLATFORM = "teams"
CONVERSATION_TYPES = frozenset({"personal", "groupChat", "channel"})
COMMAND_PREFIX = re.compile(r"^/?mdt\b[\s:,]*(.*)$", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]{1,200}>")
SPACES = re.compile(r"[ \t\u00a0]+")
MAX_ID = 100
MEETING_VERBS = frozenset({"attend", "apologies", "agenda"})
ACTION_VERBS = frozenset({"accept", "done", "progress", "extend"})


class TeamsDirectory:
    """The people a message names: its mention tokens, resolved before the core runs."""

    def __init__(self, people: Mapping[str, UserRef]) -> None:
        self.people = dict(people)

    def resolve(self, token: str) -> UserRef | None:
        """The user behind a mention token such as `@Tom_Smith` or `@teams:<id>`."""
        return self.people.get(token.rstrip(".,;:"))


@dataclass(frozen=True)
class Reply:
    """What `handle` answers: an HTTP status and, for an invoke, its JSON body."""

    status: int
    body: dict[str, Any] | None = None


def parse_activity(body: bytes) -> dict[str, Any] | None:
    """The activity, if the body is one with what this bot needs; None otherwise."""
    try:
        activity = loads(body)
    except RefusedError:
        return None
    if not isinstance(activity, dict):
        return None
    conversation = activity.get("conversation")
    sender = activity.get("from")
    required = (activity.get("type"), activity.get("id"), activity.get("serviceUrl"))
    if not all(isinstance(v, str) and v for v in required):
        return None
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return None
    if not isinstance(sender, dict) or not isinstance(sender.get("id"), str):
        return None
    for optional in ("text", "name", "replyToId"):
        if activity.get(optional) is not None and not isinstance(activity[optional], str):
            return None
    if activity.get("entities") is not None and not isinstance(activity["entities"], list):
        return None
    return activity


def _tenant(activity: Mapping[str, Any]) -> str:
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    return str(activity["conversation"].get("tenantId") or "")


def origin_of(activity: Mapping[str, Any]) -> Origin | None:
    """Where an activity came from; None for a conversation this bot does not serve."""
    conversation = activity["conversation"]
    conversation_id = str(conversation["id"])
    kind = str(conversation.get("conversationType") or "personal")
    if kind not in CONVERSATION_TYPES:
        return None
    base_id, _, thread = conversation_id.partition(";messageid=")
    recipient = activity.get("recipient")
    bot_id = recipient.get("id") if isinstance(recipient, dict) else None
    if not isinstance(bot_id, str) or not bot_id:
        return None
    thread_id = thread or None
    if kind == "channel" and thread_id is None:
        thread_id = activity.get("replyToId") or None
    if thread_id is not None and len(thread_id) > MAX_ID:
        return None
    return Origin(
        service_url=str(activity["serviceUrl"]).rstrip("/"),
        tenant_id=_tenant(activity),
        conversation_id=conversation_id,
        base_id=base_id,
        conversation_type=kind,
        thread_id=thread_id if kind == "channel" else None,
        bot_id=bot_id,
        activity_id=str(activity["id"]),
    )


def _client_zone(activity: Mapping[str, Any]) -> str | None:
    for entity in activity.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "clientInfo":
            zone = entity.get("timezone")
            if isinstance(zone, str) and zone:
                try:
                    ZoneInfo(zone)
                except (ZoneInfoNotFoundError, ValueError):
                    return None
                return zone
    return None


def _buttons_for(command: str) -> tuple[Button, ...]:
    """The buttons a refreshed card keeps: the set the pressed button came from."""
    words = command.split()
    verb = words[0].lower() if words else ""
    ref = words[1].upper() if len(words) > 1 else ""
    if verb in MEETING_VERBS and meeting_number(ref) is not None:
        return meeting_buttons(ref)
    if verb in ACTION_VERBS and action_number(ref) is not None:
        return action_buttons(ref)
    if verb == "review" and meeting_number(ref) is not None:
        return review_buttons(ref)
    return ()


class TeamsBot:
    """Handles `POST /api/messages`: authenticate, deduplicate, remember, run, answer."""

    def __init__(
        self,
        *,
        core: Core,
        store: Store,
        auth: InboundAuth,
        delivery: TeamsDelivery,
        tenant_id: str,
        clock: Callable[[], datetime],
        invites: OutlookInvites | None = None,
    ) -> None:
        self.core = core
        self.store = store
        self.auth = auth
        self.delivery = delivery
        self.connector = delivery.connector
        self.text = delivery.text
        self.tenant_id = tenant_id
        self.clock = clock
        self.invites = invites

    def handle(self, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any] | None]:
        """Answer one request: (HTTP status, JSON body or None)."""
        try:
            claims = self.auth.claims(headers)
        except AuthError as error:
            log.warning("Teams request refused (%d): %s", error.status, error.reason)
            return error.status, None
        activity = parse_activity(body)
        if activity is None:
            return 400, None
        try:
            self.auth.check_activity(claims, activity)
        except AuthError as error:
            log.warning("Teams request refused (%d): %s", error.status, error.reason)
            return error.status, None
        origin = origin_of(activity)
        if origin is None:
            return 400, None
        if origin.tenant_id != self.tenant_id:
            log.warning("Teams activity from another tenant refused")
            return 403, None
        now = self.clock()
        try:
            if not self._first_delivery(origin.activity_id, now):
                return 200, None
            self._remember(activity, origin, now)
            reply = self._dispatch(activity, origin, now)
        except DBAPIError as error:
            if not unreachable(error):
                raise
            reply = self._database_down(activity, origin)
        return reply.status, reply.body

    def _database_down(self, activity: Mapping[str, Any], origin: Origin) -> Reply:
        """Tell the sender the records are out of reach, in their own conversation, without
        the database: the card in the invoke's answer, or a reply to their message."""
        sender = activity["from"]
        notice = Message(
            audience="private",
            template="errors:database_down",
            context={},
            zone=_client_zone(activity) or self.core.settings.timezone,
            channel=origin.channel_key,
            recipient=Recipient(str(sender["id"]), str(sender.get("name") or "")),
        )
        log.warning("database unreachable; a Teams user told nothing was saved")
        if activity["type"] == "invoke":
            return self._invoke_card([notice], ())
        if activity["type"] != "message":
            return Reply(200)
        card = message_activities(notice, self.text)[0]
        try:
            if origin.thread_id and origin.conversation_type == "channel":
                chain = f"{origin.base_id};messageid={origin.thread_id}"
                self.connector.reply(origin.service_url, chain, origin.thread_id, card)
            else:
                self.connector.send(origin.service_url, origin.conversation_id, card)
        except ConnectorError as error:
            log.warning("could not tell the user the database is down: %s", error)
        return Reply(200)

    # Bookkeeping ----------------------------------------------------------------------------

    def _first_delivery(self, activity_id: str, now: datetime) -> bool:
        """Record the activity id; False when it was seen before (a redelivery)."""
        values = {"platform": PLATFORM, "event_id": activity_id[:100], "received_at": now}
        with self.store.transaction(now) as session:
            dialect = session.bind.dialect.name if session.bind is not None else ""
            if dialect == "postgresql":
                statement: Any = postgresql.insert(ProcessedEvent).values(**values)
            elif dialect == "sqlite":
                statement = sqlite.insert(ProcessedEvent).values(**values)
            else:  # pragma: no cover - the two databases the project runs on
                raise RuntimeError(f"no insert-or-ignore for {dialect}")
            statement = statement.on_conflict_do_nothing().returning(ProcessedEvent.id)
            return session.execute(statement).scalar() is not None

    def _sender(self, activity: Mapping[str, Any], origin: Origin) -> UserRef:
        """The user who sent the activity, with name, email and zone where Teams gives them."""
        sender = activity["from"]
        teams_id = str(sender["id"])
        aad = sender.get("aadObjectId") if isinstance(sender.get("aadObjectId"), str) else None
        external_id = records.user_key(aad, teams_id)
        name = str(sender.get("name") or "")
        with self.store.transaction(self.clock()) as session:
            known = records.user_by_external_id(session, self.tenant_id, external_id)
            email = known.email if known else None
            name = name or (known.display_name if known else external_id)
        return UserRef(external_id, name, _client_zone(activity), email)

    def _remember(self, activity: Mapping[str, Any], origin: Origin, now: datetime) -> None:
        """Keep the conversation reference and how to reach the sender, for proactive messages."""
        try:
            self._store_references(activity, origin, now)
        except IntegrityError:
            log.info("conversation reference stored by another request at the same moment")

    def _store_references(self, activity: Mapping[str, Any], origin: Origin, now: datetime) -> None:
        sender = activity["from"]
        teams_id = str(sender["id"])
        aad = sender.get("aadObjectId") if isinstance(sender.get("aadObjectId"), str) else None
        external_id = records.user_key(aad, teams_id)
        with self.store.transaction(now) as session:
            known = records.user_by_external_id(session, self.tenant_id, external_id)
        email = known.email if known else None
        if known is None and teams_id != origin.bot_id:
            email = self._member_email(origin, teams_id)
        with self.store.transaction(now) as session:
            records.remember_conversation(
                session,
                tenant_id=self.tenant_id,
                conversation_id=origin.base_id,
                conversation_type=origin.conversation_type,
                service_url=origin.service_url,
                bot_id=origin.bot_id,
                user_external_id=external_id if origin.conversation_type == "personal" else None,
                now=now,
            )
            if teams_id != origin.bot_id:
                records.remember_user(
                    session,
                    tenant_id=self.tenant_id,
                    external_id=external_id,
                    teams_user_id=teams_id,
                    name=display_name(str(sender.get("name") or "")),
                    email=email,
                    service_url=origin.service_url,
                    now=now,
                )
                person = records.person(session, self.tenant_id, external_id)
                if person is not None and person.unreachable:
                    session.info["workspace_id"] = person.workspace_id
                    person.unreachable = False

    def _member_email(self, origin: Origin, member_id: str) -> str | None:
        try:
            member = self.connector.member(origin.service_url, origin.base_id, member_id)
        except ConnectorError as error:
            log.info("Teams member details not available: %s", error)
            return None
        email = member.get("email") or member.get("userPrincipalName")
        return str(email) if isinstance(email, str) and "@" in email else None

    def _mentioned(self, origin: Origin, member_id: str, name: str) -> UserRef | None:
        """A mentioned or picked person: from the records, else from the conversation's roster."""
        now = self.clock()
        with self.store.transaction(now) as session:
            known = records.user_by_teams_id(session, self.tenant_id, member_id)
            if known is None:
                known = records.user_by_external_id(session, self.tenant_id, member_id)
            if known is not None:
                return UserRef(known.external_id, known.display_name, None, known.email)
        try:
            member = self.connector.member(origin.service_url, origin.base_id, member_id)
        except ConnectorError as error:
            log.info("Teams member not found in the conversation: %s", error)
            return None
        teams_id = str(member.get("id") or member_id)
        aad = member.get("aadObjectId")
        external_id = records.user_key(aad if isinstance(aad, str) else None, teams_id)
        display = str(member.get("name") or name or external_id)
        email = member.get("email") or member.get("userPrincipalName")
        email = email if isinstance(email, str) and "@" in email else None
        with self.store.transaction(now) as session:
            records.remember_user(
                session,
                tenant_id=self.tenant_id,
                external_id=external_id,
                teams_user_id=teams_id,
                name=display,
                email=email,
                service_url=origin.service_url,
                now=now,
            )
        return UserRef(external_id, display, None, email)

    # Reading what was said ------------------------------------------------------------------

    def _read_text(
        self, activity: Mapping[str, Any], origin: Origin
    ) -> tuple[str, bool, dict[str, UserRef]]:
        """The text with the bot's mention removed and others made tokens; was the bot named?"""
        raw = str(activity.get("text") or "")
        people: dict[str, UserRef] = {}
        mentioned_bot = False
        for entity in activity.get("entities") or []:
            if not isinstance(entity, dict) or entity.get("type") != "mention":
                continue
            shown, who = entity.get("text"), entity.get("mentioned")
            if not isinstance(shown, str) or not isinstance(who, dict) or shown not in raw:
                continue
            member_id, name = str(who.get("id") or ""), str(who.get("name") or "")
            if member_id == origin.bot_id:
                raw = raw.replace(shown, " ", 1)
                mentioned_bot = True
                continue
            token = "@" + "_".join(html.unescape(TAG.sub("", shown)).split())
            while token in people:
                token += "_"
            user = self._mentioned(origin, member_id, name) if member_id else None
            raw = raw.replace(shown, f" {token} ", 1)
            if user is not None:
                people[token] = user
        text = SPACES.sub(" ", html.unescape(TAG.sub(" ", raw)))
        return text.strip(), mentioned_bot, people

    # Dispatch -------------------------------------------------------------------------------

    def _dispatch(self, activity: Mapping[str, Any], origin: Origin, now: datetime) -> Reply:
        kind = activity["type"]
        if kind == "invoke":
            if activity.get("name") != "adaptiveCard/action":
                return Reply(501)
            return self._card_action(activity, origin, now, invoke=True)
        if kind == "message":
            if isinstance(activity.get("value"), dict) and not activity.get("text"):
                return self._card_action(activity, origin, now, invoke=False)
            return self._message(activity, origin, now)
        if kind == "conversationUpdate":
            added = activity.get("membersAdded") or []
            if any(isinstance(m, dict) and m.get("id") == origin.bot_id for m in added):
                welcome = Message(
                    audience="channel", template="teams:welcome", context={}, zone="UTC"
                )
                self.delivery.deliver(replace(welcome, channel=origin.channel_key), origin)
        return Reply(200)

    def _request(
        self, activity: Mapping[str, Any], origin: Origin, now: datetime, text: str
    ) -> Request:
        return Request(
            platform=PLATFORM,
            workspace=self.tenant_id,
            user=self._sender(activity, origin),
            channel=origin.channel_key,
            text=text,
            now=now,
            thread_id=origin.thread_id,
            message_id=origin.activity_id,
        )

    def _message(self, activity: Mapping[str, Any], origin: Origin, now: datetime) -> Reply:
        text, mentioned_bot, people = self._read_text(activity, origin)
        directory = TeamsDirectory(people)
        prefixed = COMMAND_PREFIX.match(text)
        addressed = mentioned_bot or origin.conversation_type == "personal"
        request = self._request(activity, origin, now, text)
        if prefixed is None and read_line(text) is not None:
            messages = self.core.handle_message(request, directory)
            if not messages and addressed:
                messages = self.core.handle_line(request, directory)
            self._send_all(messages, origin, request)
            return Reply(200)
        if prefixed is not None:
            command = prefixed.group(1).strip()
        elif addressed:
            command = text
        else:
            return Reply(200)
        if command.lower() == "new":
            self._send_form(request, origin)
            return Reply(200)
        messages = self.core.handle_command(replace(request, text=command), directory)
        self._send_all(messages, origin, request)
        return Reply(200)

    def _send_form(self, request: Request, origin: Origin) -> None:
        card = new_meeting_form(self.text)
        activity = {
            "type": "message",
            "attachments": [{"contentType": CARD_TYPE, "content": card}],
        }
        try:
            if origin.conversation_type == "personal":
                self.connector.send(origin.service_url, origin.conversation_id, activity)
            else:
                route = self.delivery.personal_route(request.user.external_id)
                self.connector.send(route.service_url, route.conversation_id, activity)
        except (ConnectorError, LookupError) as error:
            log.warning("Teams new-meeting form not sent: %s", error)

    def _card_action(
        self, activity: Mapping[str, Any], origin: Origin, now: datetime, *, invoke: bool
    ) -> Reply:
        value = activity.get("value")
        data: Any = value
        verb: Any = None
        if invoke and isinstance(value, dict) and isinstance(value.get("action"), dict):
            data = value["action"].get("data")
            verb = value["action"].get("verb")
        if not isinstance(data, dict):
            data = {}
        verb = verb or data.get("verb")
        people: dict[str, UserRef] = {}
        command = ""
        if verb == VERB and isinstance(data.get("command"), str) and data["command"].strip():
            command = " ".join(data["command"].split())
            request = self._request(activity, origin, now, "")
            messages = self.core.handle_button(
                request, TeamsDirectory(people), command, submitted_text(data)
            )
        elif verb == NEW_VERB:
            form = meeting_form(data)
            for token in form.invitees:
                user = self._mentioned(origin, token[len("@teams:") :], "")
                if user is not None:
                    people[token] = user
            request = self._request(activity, origin, now, "")
            messages = self.core.run_use_case(
                request,
                TeamsDirectory(people),
                lambda ctx: schedule_from_form(ctx, form),
                command="new",
                texts=form.texts(),
            )
        else:
            return self._unknown_verb(activity, origin, now, invoke=invoke)
        if not invoke:
            self._send_all(messages, origin, request)
            return Reply(200)
        mine = [m for m in messages if m.audience == "private"]
        self._send_all([m for m in messages if m.audience != "private"], origin, request)
        kept = _buttons_for(command) if verb == VERB else ()
        # A press whose set of buttons is not kept (answering a correction, say) shows the
        # buttons its reply offers next, such as the chair's Approve.
        offered = tuple(b for m in mine for b in m.buttons)
        return self._invoke_card(mine, kept or offered)

    def _unknown_verb(
        self, activity: Mapping[str, Any], origin: Origin, now: datetime, *, invoke: bool
    ) -> Reply:
        user = self._sender(activity, origin)
        notice = Message(
            audience="private",
            template="teams:unknown_verb",
            context={},
            zone=user.timezone or self.core.settings.timezone,
            channel=origin.channel_key,
            recipient=Recipient(user.external_id, user.display_name),
        )
        if invoke:
            return self._invoke_card([notice], ())
        request = Request(PLATFORM, self.tenant_id, user, origin.channel_key, "", now)
        self._send_all([notice], origin, request)
        return Reply(200)

    def _invoke_card(self, messages: list[Message], buttons: tuple[Button, ...]) -> Reply:
        """The invoke response: a refreshed card with the replies for whoever pressed."""
        body: list[dict[str, Any]] = []
        entities: list[dict[str, Any]] = []
        for message in messages:
            rendered, found = self.text.render(message)
            body += text_blocks(rendered, titled=False, monospace=message.kind == "minutes")
            entities += [e for e in found if e not in entities]
        card = adaptive_card(body, card_actions(buttons, self.text), entities)
        return Reply(200, {"statusCode": 200, "type": CARD_TYPE, "value": card})

    def _send_all(self, messages: list[Message], origin: Origin, request: Request) -> None:
        if self.invites is not None:
            messages = self.invites.process(messages, request.now)
        for message in messages:
            self.delivery.deliver(message, origin)
