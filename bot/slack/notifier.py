"""The Slack notifier for the reminder worker: one message in, Slack's id for it out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.config import Settings
from bot.faults import (
    AmbiguousError,
    NotifyError,
    RateLimitedError,
    ServerError,
    UnreachableError,
)
from bot.slack.delivery import Sender
from commands.messages import Message
from storage.db import make_engine

log = logging.getLogger(__name__)

# Slack's answers meaning the person or channel cannot be reached any more.
UNREACHABLE = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "users_not_found",
        "cannot_dm_bot",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "messages_tab_disabled",
        "user_not_visible",
    }
)

ClientFor = Callable[[Message], WebClient]


class SlackNotifier(Sender):
    """Sends one message to Slack; the worker does the retrying, told why by typed errors."""

    def __init__(self, client_for: ClientFor, close: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self.client_for = client_for
        self._close = close

    def close(self) -> None:
        """Release what the notifier holds (the installation store's connections)."""
        self._close()

    def send(self, message: Message) -> str:
        """Deliver the message; its id is `channel:ts`."""
        text, blocks = self.text_and_blocks(message)
        user: str | None = None
        try:
            client = self.client_for(message)
            if message.audience in {"dm", "private"}:
                if message.recipient is None:
                    raise UnreachableError("a direct message without a recipient")
                user = message.recipient.external_id
                channel = self.dm_channel(client, user)
                thread = None
            else:
                channel = message.channel or ""
                thread = message.thread_id if message.audience == "thread" else None
            key = message.meta.get("outbox_key")
            if isinstance(key, str) and message.meta.get("ambiguous"):
                found = already_posted(client, channel, thread, key)
                if found is not None:
                    return f"{channel}:{found}"
            ts = self.post(client, channel, text, blocks, thread, metadata=_metadata(key))
        except SlackApiError as error:
            if user is not None and error.response.get("error") in UNREACHABLE:
                self.dm_channels.pop((client.token or "", user))  # opened afresh next time
            raise _typed(error) from None
        except TimeoutError:
            raise AmbiguousError("Slack did not answer in time") from None
        except URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise AmbiguousError("Slack did not answer in time") from None
            raise ServerError(f"Slack unreachable: {type(error).__name__}") from None
        except ConnectionError as error:
            raise ServerError(f"Slack unreachable: {type(error).__name__}") from None
        if message.attachments:
            _attach(client, channel, thread, message)
        return f"{channel}:{ts}"


def _attach(client: WebClient, channel: str, thread: str | None, message: Message) -> None:
    """Upload the message's files beside it; the message itself has gone, so never raise."""
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread,
            file_uploads=[
                {"content": a.content, "filename": a.filename, "title": a.filename}
                for a in message.attachments
            ],
        )
    except (SlackApiError, OSError) as error:
        log.warning("the files of a %s message were not uploaded: %s", message.template, error)


METADATA_TYPE = "mdt_outbox"


def _metadata(key: object) -> dict[str, object] | None:
    """Slack message metadata carrying the outbox key, so a sent message can be found again."""
    if not isinstance(key, str):
        return None
    return {"event_type": METADATA_TYPE, "event_payload": {"key": key}}


def already_posted(client: WebClient, channel: str, thread: str | None, key: str) -> str | None:
    """The ts of a message the app already posted here with this outbox key, if any."""
    if thread:
        found = client.conversations_replies(
            channel=channel, ts=thread, include_all_metadata=True, limit=200
        )
    else:
        found = client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
    for item in found.get("messages") or []:
        metadata = item.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_TYPE and payload.get("key") == key:
            return str(item.get("ts"))
    return None


def _typed(error: SlackApiError) -> NotifyError:
    status = error.response.status_code
    code = str(error.response.get("error") or "")
    if status == 429 or code == "ratelimited":
        retry_after = error.response.headers.get("Retry-After") or error.response.headers.get(
            "retry-after"
        )
        try:
            wait = float(retry_after) if retry_after else 1.0
        except ValueError:
            wait = 1.0
        return RateLimitedError(wait)
    if status >= 500 or code in {"internal_error", "fatal_error", "service_unavailable"}:
        return ServerError(f"Slack failed: {status} {code}")
    if code in UNREACHABLE:
        return UnreachableError(code)
    return NotifyError(code or f"HTTP {status}")


SEND_TIMEOUT = 10  # seconds before a call counts as unanswered (and the message as ambiguous)


def _client(base_url: str, token: str | None) -> WebClient:
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=SEND_TIMEOUT,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def slack_notifier(settings: Settings) -> SlackNotifier:
    """The notifier these settings allow: one bot token, or each workspace's installed bot."""
    if settings.slack_bot_token and not settings.slack_oauth:
        client = _client(settings.slack_api_url, settings.slack_bot_token)
        return SlackNotifier(lambda _message: client)
    if not settings.slack_oauth:
        raise LookupError("Slack is not configured")
    assert settings.slack_client_id is not None
    engine = make_engine(settings.database_url)
    installations = SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id, engine=engine, logger=log
    )

    def client_for(message: Message) -> WebClient:
        team = message.meta.get("workspace")
        bot = installations.find_bot(enterprise_id=None, team_id=team) if team else None
        if bot is None or not bot.bot_token:
            raise UnreachableError("no Slack installation for the message's workspace")
        return _client(settings.slack_api_url, bot.bot_token)

    return SlackNotifier(client_for, close=engine.dispose)
