"""The HTTP server: Slack's endpoints, a health check, and room for other platforms' routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from json import JSONDecodeError

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.config import Settings
from bot.slack.app import Clock, SlackBot, build_slack_bot
from bot.slack.install import INSTALL_PATH, REDIRECT_PATH
from commands.core import Core, CoreSettings
from storage.db import Store

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000
EVENTS_PATH = "/slack/events"


def _well_formed(bolt_body: object) -> bool:
    return isinstance(bolt_body, dict) and bool(bolt_body)


def slack_routes(bot: SlackBot | App, signing_secret: str) -> list[BaseRoute]:
    """Slack's routes for a Bolt app: events (signed), and the OAuth install pages when on.

    With our bot, the work a request causes starts only once its ack has been sent.
    """
    app = bot.app if isinstance(bot, SlackBot) else bot
    verifier = SignatureVerifier(signing_secret)

    async def events(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("request too large", status_code=413)
        if not verifier.is_valid_request(body, dict(request.headers)):
            return PlainTextResponse("invalid signature", status_code=401)
        try:
            parsed = parse_body(body.decode("utf-8"), request.headers.get("content-type"))
            if not _well_formed(parsed):
                return PlainTextResponse("malformed request", status_code=400)
            bolt_request = to_bolt_request(request, body)
        except (JSONDecodeError, UnicodeDecodeError, ValueError, TypeError, AttributeError):
            return PlainTextResponse("malformed request", status_code=400)
        if isinstance(bot, App):
            return to_starlette_response(await run_in_threadpool(app.dispatch, bolt_request))
        response, held = await run_in_threadpool(bot.dispatch, bolt_request)
        sent = to_starlette_response(response)
        sent.background = BackgroundTask(bot.start, held)
        return sent

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
        core = Core(
            store,
            CoreSettings(
                settings.timezone,
                settings.holidays_nation,
                settings.governance,
                settings.invite_domain,
            ),
        )
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
        routes += slack_routes(slack, settings.slack_signing_secret)
    routes += list(extra_routes)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        if slack is not None:
            await run_in_threadpool(slack.close)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.slack = slack
    return app


def system_clock() -> datetime:
    """The real time, in UTC: the server's clock (tests inject their own)."""
    return datetime.now(UTC)
