"""Builds the Bolt app: one workspace from a bot token, or many through OAuth on our database.

How a Slack request is answered (the one ack path):
1. `bot/server.py` checks the signature (once: Bolt's own check is off) and the body.
2. Bolt runs the listener (`bot/slack/listeners.py`) with `process_before_response`, so the
   listener's `ack()` becomes the HTTP response; a form's errors go back in that ack.
3. Work after the ack goes through `SlackBot.later`; `SlackBot.dispatch` holds it until the
   server has sent the response, then `SlackBot.start` hands it to the worker threads.
Over Socket Mode there is no HTTP response to wait for: work starts at once.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.config import Settings
from bot.slack.delivery import web_client
from bot.slack.manifest import BOT_SCOPES
from storage.db import Store

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600

log = logging.getLogger(__name__)


def oauth_settings(settings: Settings, store: Store) -> OAuthSettings:
    """OAuth with slack_sdk's SQLAlchemy stores on our engine (tables made by our migrations)."""
    assert settings.slack_client_id is not None
    assert settings.slack_client_secret is not None
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=SQLAlchemyInstallationStore(
            client_id=settings.slack_client_id, engine=store.engine, logger=log
        ),
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_SECONDS, engine=store.engine, logger=log
        ),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )


def build_bolt_app(settings: Settings, store: Store) -> App:
    """The Bolt app for these settings; ack-first listeners are registered by the caller."""
    settings.require_slack()
    logger = logging.getLogger("bot.slack.bolt")
    if settings.slack_oauth:
        return App(
            signing_secret=settings.slack_signing_secret,
            client=web_client(settings.slack_api_url),
            oauth_settings=oauth_settings(settings, store),
            process_before_response=True,
            request_verification_enabled=False,  # checked once, by the server (see module doc)
            logger=logger,
        )
    # The token is checked with Slack on the first request, not at start-up, so a server
    # started while Slack is unreachable comes up and serves /healthz.
    return App(
        signing_secret=settings.slack_signing_secret,
        client=web_client(settings.slack_api_url, settings.slack_bot_token),
        token_verification_enabled=False,
        process_before_response=True,
        request_verification_enabled=False,
        logger=logger,
    )
