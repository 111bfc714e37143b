"""Wires the Teams bot from the settings, and its `POST /api/messages` route for the server."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.clock import system_clock
from bot.config import Settings, SettingsError
from bot.http_edge import DEFAULT_MAX_REQUEST_BYTES, RefusedError, read_body
from bot.teams.auth import InboundAuth, SigningKeys
from bot.teams.bot import TeamsBot
from bot.teams.connector import Connector
from bot.teams.delivery import TeamsDelivery
from bot.teams.graph import GraphCalendar
from bot.teams.invites import OutlookInvites
from bot.teams.tokens import token_source
from commands.core import Core
from storage.db import Store


def build_teams_bot(
    settings: Settings,
    store: Store,
    *,
    client: httpx.Client | None = None,
    clock: Callable[[], datetime] = system_clock,
    sleep: Callable[[float], None] = time.sleep,
) -> TeamsBot:
    """The bot for these settings; one token source (one msal application) per bot."""
    if not (settings.teams_app_id and settings.teams_app_password and settings.teams_tenant_id):
        raise SettingsError("TEAMS_APP_ID is missing; the Teams bot needs it")
    http = client or httpx.Client(timeout=15.0)
    tokens = token_source(settings, http)
    connector = Connector(tokens, http, sleep=sleep)
    core = Core(store, settings.core_settings())
    delivery = TeamsDelivery(
        store=store,
        core=core,
        connector=connector,
        app_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        clock=clock,
    )
    invites = None
    if settings.teams_graph_calendar_user:
        calendar = GraphCalendar(
            tokens=tokens,
            client=http,
            base_url=settings.graph_api_url,
            calendar_user=settings.teams_graph_calendar_user,
            sleep=sleep,
        )
        invites = OutlookInvites(store=store, calendar=calendar, tenant_id=settings.teams_tenant_id)
    auth = InboundAuth(
        SigningKeys(settings.teams_openid_url, http, clock), settings.teams_app_id, clock
    )
    return TeamsBot(
        core=core,
        store=store,
        auth=auth,
        delivery=delivery,
        tenant_id=settings.teams_tenant_id,
        clock=clock,
        invites=invites,
    )


def teams_endpoint(
    bot: TeamsBot, max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
) -> Callable[[Request], object]:
    """The Starlette endpoint: the body read once within the limit, the bot run off the loop."""

    async def messages(request: Request) -> Response:
        try:
            body = await read_body(request, max_request_bytes)
        except RefusedError as refused:
            return Response(refused.reason, status_code=refused.status)
        status, payload = await run_in_threadpool(bot.handle, dict(request.headers), body)
        if payload is None:
            return Response(status_code=status)
        return JSONResponse(payload, status_code=status)

    return messages


def teams_routes(settings: Settings, store: Store) -> list[Route]:
    """`POST /api/messages` when Teams is configured; nothing otherwise."""
    if not settings.teams_configured:
        return []
    bot = build_teams_bot(settings, store)
    endpoint = teams_endpoint(bot, settings.max_request_bytes)
    return [Route("/api/messages", endpoint, methods=["POST"])]
