"""Every Slack listener: ack first (Slack's 3 seconds), then hand the work to a worker thread."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack
from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError

from bot.slack import modals
from bot.slack.delivery import PLATFORM, Target
from bot.slack.home import INTRO, home_view
from bot.slack.manifest import COMMAND
from bot.slack.render import BUTTON_ACTION, unescape
from commands.actions.follow_up import my_actions
from commands.meetings.diary import my_meetings
from commands.meetings.forms import schedule_from_form
from commands.messages import Message, Recipient, prompt_for
from commands.record.capture import read_line
from commands.record.shortcuts import record_line
from storage.reach import unreachable

if TYPE_CHECKING:  # the bot registers these listeners on itself: no import at run time
    from bot.slack.app import SlackBot

log = logging.getLogger(__name__)

BUTTON = re.compile(rf"^{BUTTON_ACTION}_\d+$")
ANY = re.compile(r".*")
CAPTURED_REACTION = "white_check_mark"
INLINE_ERROR_LIMIT = 1900


def _team(context: BoltContext, body: dict[str, Any]) -> str:
    team = body.get("team")
    team_id = context.team_id or body.get("team_id") or (team or {}).get("id")
    return str(team_id or "")


def _user(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    return str(user.get("id") or ""), str(user.get("username") or user.get("name") or "")


def is_error(messages: list[Message]) -> Message | None:
    """The core's refusal, when that is all it said."""
    if len(messages) == 1 and messages[0].template.startswith(("errors:", "capture:")):
        return messages[0]
    return None


def open_view(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal (within Slack's time limit for the trigger)."""
    client.views_open(trigger_id=trigger_id, view=view)


def register(bot: SlackBot) -> None:
    """Register the slash command, buttons, forms, shortcuts and events."""
    register_command(bot)
    register_interactions(bot)
    register_forms(bot)
    register_shortcuts(bot)
    register_events(bot)


# The slash command ---------------------------------------------------------------------------


def register_command(bot: SlackBot) -> None:
    """`/mdt ...`: the form for a bare `new`, every other command through the core."""

    def on_mdt(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        text = unescape(str(command.get("text") or "")).strip()
        channel = str(command.get("channel_id") or "")
        if text.lower() == "new":
            today = bot.clock().astimezone(ZoneInfo(bot.core.settings.timezone)).date()
            view = modals.new_meeting_view(channel, today)
            bot.later(open_view, client, str(command.get("trigger_id")), view)
            return
        target = Target(
            client,
            _team(context, command),
            str(command.get("user_id") or ""),
            command.get("response_url"),
        )
        bot.later(bot.command_and_send, target, channel, text, str(command.get("user_name", "")))

    bot.app.command(COMMAND)(on_mdt)
    bot.registered.commands.append(COMMAND)


# Buttons, forms and shortcuts ----------------------------------------------------------------


def _inline(bot: SlackBot, message: Message) -> str:
    return unescape(bot.delivery.renderer.render(message))[:INLINE_ERROR_LIMIT]


def submitted(
    bot: SlackBot,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    run: Callable[[Target, str, bool], list[Message]],
    error_field: Callable[[str], str],
    message_id: str | None = None,
) -> dict[str, str] | Callable[[], None]:
    """Run a form's use case: inline errors, or the sending still to do.

    `run(target, channel, captured)` does the work. A form about a message (a shortcut) records
    it like a line captured in the meeting when a meeting runs in its channel, so each message
    is recorded at most once.
    """
    channel = str(modals.metadata(view).get("channel") or "")
    user_id = _user(body)[0]
    target = Target(client, _team(context, body), user_id)
    try:
        captured = bool(message_id) and bot.core.meeting_running(
            PLATFORM, target.team_id, channel, bot.clock()
        )
    except DBAPIError as error:
        if not unreachable(error):
            raise
        request, _ = bot.request(client, target.team_id, user_id, channel, "")
        down = bot.core.database_down(request)
        return {error_field(down.template): _inline(bot, down)}
    messages = run(target, channel, captured)
    if captured and not messages:
        notice = Message(
            audience="private",
            template="slack:already_recorded",
            context={},
            zone=bot.core.settings.timezone,
        )
        return {error_field(""): _inline(bot, notice)}
    refusal = is_error(messages)
    if refusal is not None:
        return {error_field(refusal.template): _inline(bot, refusal)}
    return lambda: bot.later(bot.send, messages, target, may_refuse=False)


def finish(ack: Ack, outcome: dict[str, str] | Callable[[], None]) -> None:
    if isinstance(outcome, dict):
        ack(response_action="errors", errors=outcome)
        return
    ack()
    outcome()


def register_interactions(bot: SlackBot) -> None:
    """Buttons run their command as whoever pressed them; forms run theirs through the core."""
    app = bot.app

    def on_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        command = unescape(str(action.get("value") or "")).strip()
        user_id, user_name = _user(body)
        channel = str((body.get("channel") or {}).get("id") or "")
        channel = channel or str((body.get("container") or {}).get("channel_id") or "")
        prompt = prompt_for(command)
        if prompt is not None:
            label = str((action.get("text") or {}).get("text") or "")
            asks = Message(
                audience="private",
                template=prompt.label,
                context={"what": label},
                zone=bot.core.settings.timezone,
            )
            view = modals.complete_view(
                command, channel, _inline(bot, asks), required=prompt.required
            )
            bot.later(open_view, client, str(body.get("trigger_id")), view)
            return
        target = Target(client, _team(context, body), user_id, body.get("response_url"))
        from_home = (body.get("view") or {}).get("type") == "home"
        bot.later(press, target, channel, command, user_name, from_home)

    def press(target: Target, channel: str, command: str, user_name: str, home: bool) -> None:
        channel = channel or bot.delivery.dm_channel(target.client, target.user_id)
        bot.send(bot.press(target, channel, command, user_name=user_name), target)
        if home:
            publish_home(bot, target, channel)

    def on_unknown_action(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        user_id, user_name = _user(body)
        channel = str((body.get("channel") or {}).get("id") or "") or None
        target = Target(client, _team(context, body), user_id, body.get("response_url"))
        message = Message(
            audience="private",
            template="slack:unknown_button",
            context={},
            zone=bot.core.settings.timezone,
            channel=channel,
            recipient=Recipient(user_id, user_name),
        )
        bot.later(bot.send, [message], target)

    app.action(BUTTON)(on_button)
    app.action(ANY)(on_unknown_action)
    bot.registered.actions += [BUTTON.pattern, ANY.pattern]


def register_forms(bot: SlackBot) -> None:
    """The new-meeting form, the finish-the-command box and the shortcut forms."""

    def on_new_meeting(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        form, errors = modals.new_meeting_form(view)
        if form is None:
            ack(response_action="errors", errors=errors)
            return
        user_name = _user(body)[1]

        def run(target: Target, channel: str, _: bool) -> list[Message]:
            return bot.perform(
                target,
                channel,
                lambda ctx: schedule_from_form(ctx, form),
                command="new",
                texts=form.texts(),
                user_name=user_name,
            )

        finish(
            ack,
            submitted(
                bot, view, body, client, context, run=run, error_field=modals.field_for_error
            ),
        )

    def on_complete(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        command, typed = modals.completed(view)
        if not command and not typed:
            ack(response_action="errors", errors={"text": "Write something first."})
            return
        user_name = _user(body)[1]

        def run(target: Target, channel: str, _: bool) -> list[Message]:
            return bot.press(target, channel, command, typed, user_name)

        finish(
            ack,
            submitted(bot, view, body, client, context, run=run, error_field=lambda _: "text"),
        )

    def on_shortcut_form(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        found, errors = modals.shortcut_record(view)
        if found is None:
            ack(response_action="errors", errors=errors)
            return
        word, meeting_ref, text = found
        user_name = _user(body)[1]
        ts = str(modals.metadata(view).get("ts") or "") or None

        def field(template: str) -> str:
            meeting_errors = ("which_meeting", "unknown_meeting", "bad_meeting_ref")
            return "meeting" if template.endswith(meeting_errors) else "text"

        def run(target: Target, channel: str, captured: bool) -> list[Message]:
            return bot.perform(
                target,
                channel,
                lambda ctx: record_line(ctx, word, meeting_ref, text),
                command=word,
                texts=(meeting_ref, text),
                user_name=user_name,
                message_id=ts if captured else None,
                captured=captured,
            )

        finish(
            ack,
            submitted(bot, view, body, client, context, run=run, error_field=field, message_id=ts),
        )

    for callback_id, listener in (
        (modals.NEW_MEETING, on_new_meeting),
        (modals.COMPLETE, on_complete),
        (modals.SHORTCUT_VIEW, on_shortcut_form),
    ):
        bot.app.view_submission(callback_id)(listener)
        bot.registered.views.append(callback_id)


def register_shortcuts(bot: SlackBot) -> None:
    """Message shortcuts open a small form filled with the message's text."""

    def on_message_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        view = modals.shortcut_view(
            str(shortcut.get("callback_id")),
            str((shortcut.get("channel") or {}).get("id") or ""),
            str(message.get("ts") or ""),
            unescape(str(message.get("text") or "")),
        )
        bot.later(open_view, client, str(shortcut.get("trigger_id")), view)

    for callback_id in (modals.SHORTCUT_DECISION, modals.SHORTCUT_ACTION):
        bot.app.message_shortcut(callback_id)(on_message_shortcut)
        bot.registered.shortcuts.append(callback_id)


# Events --------------------------------------------------------------------------------------


def capture(bot: SlackBot, target: Target, event: dict[str, Any]) -> None:
    """Record a decision:/action:/agenda:/note: line from the meeting thread, and confirm it."""
    channel = str(event.get("channel") or "")
    thread_ts = str(event.get("thread_ts") or "")
    ts = str(event.get("ts") or "")
    if not bot.core.listening(PLATFORM, target.team_id, channel, bot.clock(), thread_id=thread_ts):
        return
    request, directory = bot.request(
        target.client,
        target.team_id,
        target.user_id,
        channel,
        unescape(str(event.get("text") or "")),
        thread_id=thread_ts,
        message_id=ts,
    )
    messages = bot.core.handle_message(request, directory)
    if not messages:
        return
    if is_error(messages) is None:
        try:
            target.client.reactions_add(channel=channel, timestamp=ts, name=CAPTURED_REACTION)
        except SlackApiError as error:
            if error.response.get("error") != "already_reacted":
                raise
    private = [m if m.audience != "private" else _in_thread(m, thread_ts) for m in messages]
    bot.send(private, target)


def _in_thread(message: Message, thread_ts: str) -> Message:
    return replace(message, thread_id=thread_ts)


def publish_home(bot: SlackBot, target: Target, channel: str | None) -> None:
    """Publish the user's Home tab from the core's own listings."""
    where = channel or "home"
    actions = bot.perform(target, where, my_actions, command="actions")
    meetings = bot.perform(target, where, my_meetings, command="list")
    intro = Message(audience="private", template=INTRO, context={}, zone=bot.core.settings.timezone)
    view = home_view(bot.delivery.renderer, intro, actions, meetings)
    target.client.views_publish(user_id=target.user_id, view=view)


def register_events(bot: SlackBot) -> None:
    """Messages in a meeting's thread are captured; opening App Home shows the user's work."""

    def on_message(ack: Ack, event: dict[str, Any], client: WebClient, context: Any) -> None:
        ack()
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, joins, bot posts and our own messages are left alone
        thread_ts, ts = event.get("thread_ts"), event.get("ts")
        if not thread_ts or thread_ts == ts:
            return
        if read_line(unescape(str(event.get("text") or ""))) is None:
            return
        target = Target(client, _team(context, event), str(event["user"]))
        bot.later(capture, bot, target, event)

    def on_home(ack: Ack, event: dict[str, Any], client: WebClient, context: Any) -> None:
        ack()
        if event.get("tab") != "home" or not event.get("user"):
            return
        target = Target(client, _team(context, event), str(event["user"]))
        bot.later(publish_home, bot, target, event.get("channel"))

    bot.app.event("message")(on_message)
    bot.app.event("app_home_opened")(on_home)
    bot.registered.events += ["message", "app_home_opened"]
