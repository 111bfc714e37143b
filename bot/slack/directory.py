"""Slack's people: `<@U123|name>` mentions resolved through users.info, cached for a while."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from commands.messages import UserRef

log = logging.getLogger(__name__)

MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,30})(?:\|([^>]{0,100}))?>[.,;:]*$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
V = TypeVar("V")


@dataclass(frozen=True)
class Profile:
    """What Slack says about a user: a display name and a time zone."""

    name: str
    timezone: str | None
    is_bot: bool = False


class TTLCache(Generic[V]):
    """A small, bounded, thread-safe cache whose entries expire after `ttl` seconds."""

    def __init__(
        self,
        maxsize: int = 5000,
        ttl: float = 900.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self.timer = timer
        self._items: OrderedDict[tuple[str, str], tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> V | None:
        """The cached value, if still fresh."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] <= self.timer():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: tuple[str, str], value: V) -> None:
        """Keep a value, dropping the least recently used beyond `maxsize`."""
        with self._lock:
            self._items[key] = (self.timer() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def pop(self, key: tuple[str, str]) -> None:
        """Forget a value (it turned out to be wrong)."""
        with self._lock:
            self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


def profile_from(user: dict[str, object], fallback: str) -> Profile:
    """A profile from a users.info `user` object."""
    raw_profile = user.get("profile")
    profile = raw_profile if isinstance(raw_profile, dict) else {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or fallback
    )
    zone = user.get("tz")
    return Profile(
        name=str(name),
        timezone=zone if isinstance(zone, str) and zone else None,
        is_bot=bool(user.get("is_bot")),
    )


class SlackDirectory:
    """Resolves Slack mentions in one workspace to users, with names and zones from users.info."""

    def __init__(self, client: WebClient, team_id: str, cache: TTLCache[Profile]) -> None:
        self.client = client
        self.team_id = team_id
        self.cache = cache

    def profile(self, user_id: str, fallback: str = "") -> Profile:
        """The user's profile, from the cache or users.info; the fallback name if Slack fails."""
        key = (self.team_id, user_id)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        try:
            response = self.client.users_info(user=user_id)
        except SlackApiError as error:
            log.warning("users.info failed for a user: %s", error.response.get("error"))
            return Profile(name=fallback or user_id, timezone=None)
        user = response.get("user")
        profile = profile_from(user if isinstance(user, dict) else {}, fallback or user_id)
        self.cache.put(key, profile)
        return profile

    def user(self, user_id: str, fallback: str = "") -> UserRef:
        """The platform-free user for a Slack user id."""
        profile = self.profile(user_id, fallback)
        return UserRef(external_id=user_id, display_name=profile.name, timezone=profile.timezone)

    def resolve(self, token: str) -> UserRef | None:
        """A `<@U123>` or `<@U123|name>` mention; anything else is not one."""
        match = MENTION.match(token)
        if not match:
            return None
        return self.user(match.group(1), match.group(2) or "")
