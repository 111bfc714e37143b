"""The worker's way into Teams: reminders, chasers and review prompts sent proactively."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx

from bot import faults as notify
from bot.clock import system_clock
from bot.config import Settings
from bot.teams.connector import Connector, ConnectorError, UnreachableError
from bot.teams.delivery import NoRouteError, TeamsDelivery
from bot.teams.tokens import TokenError, token_source
from commands.core import Core
from commands.messages import Message
from storage.db import Store


class TeamsNotifier:
    """Sends one message through the stored conversation references; raises typed faults."""

    def __init__(self, delivery: TeamsDelivery) -> None:
        self.delivery = delivery

    def send(self, message: Message) -> str:
        """Deliver the message; the activity id Teams gave it."""
        try:
            sent = self.delivery.deliver(message, strict=True)
        except UnreachableError as error:
            raise notify.UnreachableError(str(error)) from None
        except ConnectorError as error:
            if error.status == 429:
                raise notify.RateLimitedError(error.retry_after or 1.0, str(error)) from None
            if error.status >= 500 or error.status == 412:
                raise notify.ServerError(str(error)) from None
            raise notify.NotifyError(str(error)) from None
        except (TokenError, httpx.HTTPError) as error:
            raise notify.ServerError(f"{type(error).__name__}: {error}") from None
        except NoRouteError as error:
            raise notify.NotifyError(str(error)) from None
        if not sent:
            raise notify.ServerError("Teams accepted the message without an id")
        return sent


def teams_notifier(
    settings: Settings,
    *,
    store: Store | None = None,
    client: httpx.Client | None = None,
    clock: Callable[[], datetime] | None = None,
) -> TeamsNotifier:
    """A notifier for these settings; LookupError when Teams is not configured."""
    if not (settings.teams_app_id and settings.teams_app_password and settings.teams_tenant_id):
        raise LookupError("Teams is not configured")
    http = client or httpx.Client(timeout=15.0)
    tokens = token_source(settings, http)
    store = store or Store.open(settings.database_url)
    core = Core(store, settings.core_settings())
    delivery = TeamsDelivery(
        store=store,
        core=core,
        connector=Connector(tokens, http, attempts=1),
        app_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        clock=clock or system_clock,
    )
    return TeamsNotifier(delivery)
