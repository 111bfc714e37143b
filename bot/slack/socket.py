"""Slack over Socket Mode: the same Bolt app, reached by a websocket instead of a public URL."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.clock import Clock
from bot.config import Settings, SettingsError
from bot.slack.app import SlackBot, build_slack_bot
from bot.slack.delivery import web_client
from commands.core import Core
from storage.db import Store


def build_socket_handler(
    settings: Settings, store: Store, clock: Clock
) -> tuple[SocketModeHandler, SlackBot]:
    """The Socket Mode handler for the Slack app (not yet connected), and the bot it drives."""
    settings.require_slack(socket=True)
    if settings.slack_oauth:
        raise SettingsError(
            "SLACK_CLIENT_ID is set: Socket Mode serves one workspace, from SLACK_BOT_TOKEN"
        )
    core = Core(store, settings.core_settings())
    bot = build_slack_bot(settings, store, core, clock)
    handler = SocketModeHandler(
        bot.app,
        app_token=settings.slack_app_token,
        web_client=web_client(settings.slack_api_url),  # apps.connections.open goes here
    )
    return handler, bot
