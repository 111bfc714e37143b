"""Sends platform-free messages to Slack: ephemeral, channel, thread or DM, with files."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.slack.directory import TTLCache
from bot.slack.render import TEXT_LIMIT, SlackRenderer, blocks_for
from commands.messages import Message

log = logging.getLogger(__name__)

PLATFORM = "slack"
EPHEMERAL_FALLBACK = {"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}
DM_CHANNELS = 10_000  # people whose DM channel a process remembers
DM_CHANNEL_TTL = 24 * 3600.0


def transient(error: SlackApiError) -> bool:
    """Slack failed rather than refused: worth trying again later."""
    status = error.response.status_code
    code = str(error.response.get("error") or "")
    return (
        status >= 500
        or status == 429
        or code in {"ratelimited", "internal_error", "fatal_error", "service_unavailable"}
    )


def retry_handlers() -> list[RetryHandler]:
    """Retries for every outbound call: connection errors, 429 (honouring Retry-After), 5xx."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def web_client(base_url: str, token: str | None = None) -> WebClient:
    """A Web API client for the configured base URL, with the retry handlers."""
    return WebClient(token=token, base_url=base_url, timeout=10, retry_handlers=retry_handlers())


@dataclass(frozen=True)
class Target:
    """Where one batch of messages goes back to: the workspace, and the way to reach the caller."""

    client: WebClient
    team_id: str
    user_id: str
    response_url: str | None = None


@dataclass(frozen=True)
class Sent:
    """One message as Slack has it: its channel and timestamp (None if it was ephemeral)."""

    message: Message
    channel: str | None
    ts: str | None


class Sender:
    """Renders a message and posts it: the one way replies and the reminder worker reach Slack."""

    def __init__(self) -> None:
        self.renderer = SlackRenderer()
        # The DM channel of an app and a person does not change, so it is opened once per
        # process (Slack's conversations.open) and kept in memory, bounded and for a day: no
        # table or migration, and no database round trip to save an API call.
        self.dm_channels: TTLCache[str] = TTLCache(maxsize=DM_CHANNELS, ttl=DM_CHANNEL_TTL)

    def text_and_blocks(self, message: Message) -> tuple[str, list[dict[str, object]]]:
        """The fallback text and the Block Kit blocks of a message."""
        text = self.renderer.render(message)
        return text[:TEXT_LIMIT], blocks_for(message, text)

    def dm_channel(self, client: WebClient, user_id: str) -> str:
        """The id of the app's direct-message channel with a user, opened once per process.

        The key is the bot token with the user: each workspace's install has its own channel.
        """
        key = (client.token or "", user_id)
        known = self.dm_channels.get(key)
        if known is not None:
            return known
        response = client.conversations_open(users=user_id)
        channel = response.get("channel") or {}
        found = str(channel.get("id")) if isinstance(channel, dict) else ""
        if found:
            self.dm_channels.put(key, found)
        return found

    def post_dm(
        self, client: WebClient, user_id: str, text: str, blocks: list[dict[str, object]]
    ) -> tuple[str, str | None]:
        """Post in a user's DM channel: the channel and the message's timestamp.

        A channel Slack no longer knows is forgotten, so the next DM opens it afresh.
        """
        channel = self.dm_channel(client, user_id)
        try:
            return channel, self.post(client, channel, text, blocks, None)
        except SlackApiError as error:
            if error.response.get("error") in EPHEMERAL_FALLBACK:
                self.dm_channels.pop((client.token or "", user_id))
            raise

    def post(
        self,
        client: WebClient,
        channel: str,
        text: str,
        blocks: list[dict[str, object]],
        thread_ts: str | None,
        *,
        metadata: dict[str, object] | None = None,
    ) -> str | None:
        """Post in a channel (or a thread of it); the message's timestamp."""
        response = client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            metadata=metadata,
        )
        ts = response.get("ts")
        return str(ts) if ts else None


@dataclass(frozen=True)
class Outcome:
    """What a batch came to: what Slack took, and the posts and DMs it failed to take (5xx,
    429, network) with why, for the caller to hand to the outbox."""

    sent: list[Sent]
    failed: list[tuple[Message, str]]


class Delivery(Sender):
    """Sends the replies to what someone did: privately by response URL, in channels, by DM.

    Nothing here writes to the database: the caller is told what was sent and what failed
    (`Outcome`), and records from that (a meeting's thread; a failed post, to the outbox).
    """

    def send_all(self, messages: Iterable[Message], target: Target) -> Outcome:
        """Send each message in turn; a failure is noted and the others still go."""
        sent: list[Sent] = []
        failed: list[tuple[Message, str]] = []
        for message in messages:
            try:
                sent.append(self.send(message, target))
            except SlackApiError as error:
                if transient(error) and message.audience != "private":
                    failed.append((message, str(error.response.get("error"))))
                    continue
                log.warning(
                    "slack refused a %s message (%s): %s",
                    message.audience,
                    message.template,
                    error.response.get("error"),
                )
            except OSError as error:  # Slack unreachable (the client's own retries spent)
                if message.audience != "private":
                    failed.append((message, type(error).__name__))
                else:
                    log.warning("slack unreachable for a private reply: %s", type(error).__name__)
        return Outcome(sent, failed)

    def send(self, message: Message, target: Target) -> Sent:
        """Send one message where its audience says."""
        text, blocks = self.text_and_blocks(message)
        client = target.client
        if message.audience == "private":
            self._private(message, target, text, blocks)
            channel = None
            ts = None
        elif message.audience == "dm":
            channel, ts = self.post_dm(client, self._recipient(message, target), text, blocks)
        else:
            channel = message.channel or ""
            thread = message.thread_id if message.audience == "thread" else None
            ts = self.post(client, channel, text, blocks, thread)
        if message.attachments:
            # Files that go with a private reply are put in the person's DM with the app.
            upload_to = channel or self.dm_channel(client, self._recipient(message, target))
            thread_ts = message.thread_id if message.audience == "thread" else None
            self._upload(client, upload_to, message, thread_ts)
        return Sent(message, channel, ts)

    def _recipient(self, message: Message, target: Target) -> str:
        return message.recipient.external_id if message.recipient else target.user_id

    def _private(
        self, message: Message, target: Target, text: str, blocks: list[dict[str, object]]
    ) -> None:
        """Only the recipient sees it: the response URL, an ephemeral post, or else a DM."""
        user = self._recipient(message, target)
        if target.response_url and user == target.user_id:
            webhook = WebhookClient(
                target.response_url, timeout=10, retry_handlers=retry_handlers()
            )
            try:
                response = webhook.send(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )
            except (OSError, ValueError):
                log.warning("the response URL could not be reached; replying another way")
            else:
                if response.status_code == 200:
                    return
        if message.channel:
            try:
                target.client.chat_postEphemeral(
                    channel=message.channel,
                    user=user,
                    text=text,
                    blocks=blocks,
                    thread_ts=message.thread_id,
                )
            except SlackApiError as error:
                if error.response.get("error") not in EPHEMERAL_FALLBACK:
                    raise
            else:
                return
        self.post_dm(target.client, user, text, blocks)

    def _upload(
        self, client: WebClient, channel: str, message: Message, thread_ts: str | None
    ) -> None:
        """Attach the message's files in the channel it went to."""
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file_uploads=[
                {"content": a.content, "filename": a.filename, "title": a.filename}
                for a in message.attachments
            ],
        )
