"""The HTTP server: Slack's endpoints, a health check, and room for other platforms' routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.http_edge import (
    DEFAULT_MAX_REQUEST_BYTES,
    RefusedError,
    check_slack_body,
    read_body,
    verify_slack_signature,
)
from bot.slack.app import SlackBot, build_slack_bot
from bot.slack.install import INSTALL_PATH, REDIRECT_PATH
from commands.core import Core
from storage.db import Store

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def slack_routes(
    bot: SlackBot | App,
    signing_secret: str,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
) -> list[BaseRoute]:
    """Slack's routes for a Bolt app: events (signed), and the OAuth install pages when on.

    A request is read within `max_request_bytes`, its signature checked on the raw bytes, and
    its body held to what Slack sends (forms for commands and interactivity, JSON for events)
    before Bolt sees it. With our bot, the work a request causes starts once its ack is sent.
    """
    app = bot.app if isinstance(bot, SlackBot) else bot

    async def events(request: Request) -> Response:
        try:
            body = await read_body(request, max_request_bytes)
            verify_slack_signature(body, request.headers, signing_secret)
            check_slack_body(body, request.headers)
            bolt_request = to_bolt_request(request, body)
        except RefusedError as refused:
            log.info("Slack request refused (%d): %s", refused.status, refused.reason)
            return PlainTextResponse(refused.reason, status_code=refused.status)
        if isinstance(bot, App):
            return to_starlette_response(await run_in_threadpool(app.dispatch, bolt_request))
        response, held = await run_in_threadpool(bot.dispatch, bolt_request)
        sent = to_starlette_response(response)
        if held:
            sent.background = BackgroundTask(start, held)
        return sent

    async def start(held: list[Callable[[], None]]) -> None:
        """Hand the held work to the worker threads once the ack is sent: from the event loop
        (a queue put), or from a thread when a busy notice must be sent (a Slack call)."""
        assert isinstance(bot, SlackBot)
        if bot.blocks(held):
            await run_in_threadpool(bot.start, held)
        else:
            bot.start(held)

    routes: list[BaseRoute] = [Route(EVENTS_PATH, events, methods=["POST"])]
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: Request) -> Response:
            bolt_request = to_bolt_request(request, await request.body())
            return to_starlette_response(
                await run_in_threadpool(flow.handle_installation, bolt_request)
            )

        async def redirect(request: Request) -> Response:
            bolt_request = to_bolt_request(request, await request.body())
            return to_starlette_response(
                await run_in_threadpool(flow.handle_callback, bolt_request)
            )

        routes += [
            Route(INSTALL_PATH, install, methods=["GET"]),
            Route(REDIRECT_PATH, redirect, methods=["GET"]),
        ]
    return routes


def create_app(
    settings: Settings,
    store: Store,
    *,
    clock: Clock | None = None,
    slack: SlackBot | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The ASGI app: `/healthz`, Slack's routes when Slack is configured, then `extra_routes`.

    Other platforms mount their routes here through `extra_routes` (Teams: `POST /api/messages`).
    A missing or malformed Slack setting raises SettingsError naming it.
    """
    if slack is None and settings.slack_configured:
        core = Core(store, settings.core_settings())
        slack = build_slack_bot(settings, store, core, clock or system_clock)

    async def healthz(_: Request) -> Response:
        def ping() -> None:
            with store.engine.connect() as connection:
                connection.execute(text("select 1"))

        try:
            await run_in_threadpool(ping)
        except Exception:
            log.exception("health check: database unreachable")
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if slack is not None:
        assert settings.slack_signing_secret is not None
        routes += slack_routes(slack, settings.slack_signing_secret, settings.max_request_bytes)
    routes += list(extra_routes)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        if slack is not None:
            await run_in_threadpool(slack.close)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.slack = slack
    return app
