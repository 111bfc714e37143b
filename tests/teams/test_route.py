"""`POST /api/messages` on the shared server, mounted through `teams_routes`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import anyio
import httpx

from bot.config import Settings
from bot.server import create_app
from bot.teams.app import teams_routes
from storage.db import Store
from tests.teams.conftest import Clock, Teams, settings
from tests.teams.fake_teams import PRIYA, FakeTeams


def test_the_server_answers_teams_at_api_messages(store: Store, fake: FakeTeams) -> None:
    fake.clock = lambda: datetime.now(UTC)  # the served bot reads the wall clock
    app = create_app(settings(), store, extra_routes=teams_routes(settings(), store))
    clock = Clock(datetime.now(UTC))
    helper = Teams(bot=None, fake=fake, store=store, clock=clock, sleeps=[])  # type: ignore[arg-type]
    body = json.dumps(helper.activity(PRIYA, "mdt help")).encode()
    headers = {"Authorization": f"Bearer {fake.token()}", "Content-Type": "application/json"}

    async def exchange() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mdt.test") as client:
            refused = await client.post("/api/messages", content=body)
            accepted = await client.post("/api/messages", content=body, headers=headers)
            wrong_method = await client.get("/api/messages")
        return [refused.status_code, accepted.status_code, wrong_method.status_code]

    assert anyio.run(exchange) == [401, 200, 405]
    assert len(fake.sent) == 1


def test_without_teams_settings_there_is_no_route(store: Store) -> None:
    assert teams_routes(Settings.from_env({}), store) == []
