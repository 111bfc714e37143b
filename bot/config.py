"""Settings, read once from the environment into one frozen object; a bad one stops start-up."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.http_edge import DEFAULT_MAX_REQUEST_BYTES
from commands.core import CoreSettings
from commands.escalation.protocols import DEFAULT_PROTOCOL, ProtocolError, protocol
from commands.governance.policy import DEFAULT_CASE_PATTERN, Governance
from commands.language.workdays import nation_code

DEFAULT_DATABASE_URL = "sqlite:///mdt.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_QUEUE_CAPACITY = 32
SLACK_TOKEN_PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}
DEFAULT_TEAMS_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_TEAMS_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_GRAPH_API_URL = "https://graph.microsoft.com/v1.0"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$")
CALENDAR_USER = re.compile(r"^[^\s@/]+(@[^\s@/]+)?$")


class SettingsError(ValueError):
    """A setting that is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/London"
    holidays_nation: str = "England and Wales"
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = DEFAULT_PORT
    teams_app_id: str | None = None
    teams_app_password: str | None = field(default=None, repr=False)
    teams_tenant_id: str | None = None
    teams_login_url: str = DEFAULT_TEAMS_LOGIN_URL
    teams_openid_url: str = DEFAULT_TEAMS_OPENID_URL
    graph_api_url: str = DEFAULT_GRAPH_API_URL
    teams_graph_calendar_user: str | None = None
    governance: Governance = field(default_factory=Governance)
    invite_domain: str = "localhost"
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    queue_capacity: int = DEFAULT_QUEUE_CAPACITY
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "mdt@localhost"
    mail_organizer: str | None = None  # MDT_MAIL_FROM's address when set: the emailed ORGANIZER
    public_url: str = f"http://localhost:{DEFAULT_PORT}"

    @property
    def email_configured(self) -> bool:
        """Email can be sent (SMTP_URL is set)."""
        return bool(self.smtp_url)

    @property
    def teams_configured(self) -> bool:
        """The Teams bot has its app id, so `POST /api/messages` should run."""
        return bool(self.teams_app_id)

    @property
    def slack_configured(self) -> bool:
        """Any Slack credential is set, so the Slack app should run."""
        return any((self.slack_bot_token, self.slack_signing_secret, self.slack_client_id))

    @property
    def slack_oauth(self) -> bool:
        """Multi-workspace mode: installs through OAuth rather than one bot token."""
        return bool(self.slack_client_id)

    def core_settings(self, *, email: bool | None = None) -> CoreSettings:
        """What the core takes from these settings: zone, bank holidays, governance, domain,
        whether email goes out (`email` overrides it: the console works without SMTP), and
        the invites' organizer."""
        return CoreSettings(
            self.timezone,
            self.holidays_nation,
            self.governance,
            self.invite_domain,
            self.email_configured if email is None else email,
            self.mail_organizer,
        )

    def require_slack(self, *, socket: bool = False) -> None:
        """Raise SettingsError naming the first Slack setting the chosen mode lacks."""
        needed = ["SLACK_SIGNING_SECRET"]
        if self.slack_oauth:
            needed.append("SLACK_CLIENT_SECRET")
        else:
            needed.append("SLACK_BOT_TOKEN")
        if socket:
            needed.append("SLACK_APP_TOKEN")
        values = {
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "SLACK_CLIENT_SECRET": self.slack_client_secret,
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SLACK_APP_TOKEN": self.slack_app_token,
        }
        for name in needed:
            if not values[name]:
                mode = "multi-workspace (SLACK_CLIENT_ID is set)" if self.slack_oauth else "Slack"
                raise SettingsError(f"{name} is missing; {mode} needs it")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check the settings; raise SettingsError naming the first bad one."""
        env = os.environ if env is None else env
        timezone = env.get("MDT_TIMEZONE", "Europe/London").strip()
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"MDT_TIMEZONE={timezone!r} is not a time zone; use a name like Europe/London"
            ) from None
        nation = env.get("MDT_HOLIDAYS", "England and Wales").strip()
        try:
            nation_code(nation)
        except ValueError as error:
            raise SettingsError(f"MDT_HOLIDAYS: {error}") from None
        url = env.get("DATABASE_URL", DEFAULT_DATABASE_URL).strip()
        if "://" not in url:
            raise SettingsError("DATABASE_URL must be a database URL such as sqlite:///mdt.db")
        slack = _slack_from_env(env)
        return cls(
            database_url=url,
            timezone=timezone,
            holidays_nation=nation,
            **slack,
            **_teams_from_env(env),
            governance=_governance_from_env(env),
            invite_domain=invite_domain(env),
            max_request_bytes=_max_request_bytes(env),
            queue_capacity=_queue_capacity(env),
            **_email_from_env(env, slack["port"]),
        )


def _max_request_bytes(env: Mapping[str, str]) -> int:
    """MDT_MAX_REQUEST_BYTES: the largest request body the server reads (1 MB by default)."""
    text = env.get("MDT_MAX_REQUEST_BYTES", str(DEFAULT_MAX_REQUEST_BYTES)).strip()
    if not text.isascii() or not text.isdigit() or not 1024 <= int(text) <= 100_000_000:
        raise SettingsError(
            f"MDT_MAX_REQUEST_BYTES={text!r} is not a number of bytes from 1024 to 100000000"
        )
    return int(text)


def _queue_capacity(env: Mapping[str, str]) -> int:
    """MDT_QUEUE_CAPACITY: how much Slack work may wait or run at once before the server says
    it is busy (32 by default: at the 30-90 commands/s one server completes on SQLite, the
    last in line waits about a second)."""
    text = env.get("MDT_QUEUE_CAPACITY", str(DEFAULT_QUEUE_CAPACITY)).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise SettingsError(f"MDT_QUEUE_CAPACITY={text!r} is not a number from 1 to 100000")
    return int(text)


def invite_domain(env: Mapping[str, str]) -> str:
    """The deployment's own domain, for calendar UIDs: MDT_PUBLIC_URL's host, else MDT_MAIL_FROM's.

    With neither set, the machine's own name.
    """
    host = urlsplit(env.get("MDT_PUBLIC_URL", "").strip()).hostname
    if host:
        return host.lower()
    sender = env.get("MDT_MAIL_FROM", "").strip().rstrip(">")
    if "@" in sender:
        return sender.rsplit("@", 1)[1].strip().lower()
    return socket.getfqdn().lower() or "localhost"


def _email_from_env(env: Mapping[str, str], port: int) -> dict[str, Any]:
    """SMTP_URL (never echoed: it holds a password), MDT_MAIL_FROM and MDT_PUBLIC_URL."""
    smtp_url = env.get("SMTP_URL", "").strip() or None
    if smtp_url is not None:
        from bot.email.smtp import parse_smtp_url  # noqa: PLC0415 - only when email is set

        try:
            parse_smtp_url(smtp_url)
        except ValueError as error:
            raise SettingsError(str(error)) from None
    given = env.get("MDT_MAIL_FROM", "").strip()
    sender = given or f"mdt@{invite_domain(env)}"
    if "@" not in sender or any(c in sender for c in "\r\n"):
        raise SettingsError("MDT_MAIL_FROM must be an address such as mdt@council.example")
    public = env.get("MDT_PUBLIC_URL", "").strip().rstrip("/") or f"http://localhost:{port}"
    parts = urlsplit(public)
    if parts.scheme not in {"http", "https"} or not parts.hostname or " " in public:
        raise SettingsError("MDT_PUBLIC_URL must be a URL such as https://mdt.council.example")
    organizer = (parseaddr(given)[1] or None) if given else None
    return {
        "smtp_url": smtp_url,
        "mail_from": sender,
        "mail_organizer": organizer,
        "public_url": public,
    }


def _years(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, str(default)).strip()
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name}={text!r} is not a whole number of years (1 or more)")
    return int(text)


def _governance_from_env(env: Mapping[str, str]) -> Governance:
    """The case reference pattern, the workspace's own email domains and the retention years."""
    pattern = env.get("MDT_CASE_PATTERN", DEFAULT_CASE_PATTERN).strip()
    try:
        re.compile(pattern)
    except re.error:
        raise SettingsError(
            "MDT_CASE_PATTERN is not a regular expression; use one like [A-Z]{2}-\\d{4}"
        ) from None
    domains = tuple(
        d.strip().lower().lstrip("@") for d in env.get("MDT_EMAIL_DOMAINS", "").split(",")
    )
    return Governance(
        case_pattern=pattern,
        own_domains=tuple(d for d in domains if d),
        case_years=(case_years := _years(env, "MDT_RETENTION_CASE_YEARS", 6)),
        review_years=(review_years := _years(env, "MDT_RETENTION_REVIEW_YEARS", 2)),
        escalation_protocol=_escalation_protocol(env),
        workspace_years=_workspace_years(env, case_years, review_years),
    )


def _workspace_years(
    env: Mapping[str, str], case_years: int, review_years: int
) -> tuple[tuple[str, int, int], ...]:
    """MDT_RETENTION_WORKSPACES: `T0123:case=8,review=3;T0456:case=7` (the rest as deployed)."""
    name = "MDT_RETENTION_WORKSPACES"
    found: list[tuple[str, int, int]] = []
    for entry in env.get(name, "").split(";"):
        if not entry.strip():
            continue
        workspace, _, rules = entry.partition(":")
        years = {"case": case_years, "review": review_years}
        for rule in rules.split(","):
            key, _, value = rule.partition("=")
            if not workspace.strip() or key.strip() not in years:
                raise SettingsError(f"{name}: write each as WORKSPACE:case=YEARS,review=YEARS")
            years[key.strip()] = _years({name: value}, name, 1)
        found.append((workspace.strip(), years["case"], years["review"]))
    return tuple(found)


def _escalation_protocol(env: Mapping[str, str]) -> str:
    """MDT_ESCALATION_PROTOCOL: a shipped protocol's name; every protocol file is read here."""
    key = env.get("MDT_ESCALATION_PROTOCOL", DEFAULT_PROTOCOL).strip() or DEFAULT_PROTOCOL
    try:
        protocol(key)
    except ProtocolError as error:
        raise SettingsError(f"MDT_ESCALATION_PROTOCOL: {error}") from None
    return key


def _slack_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """The Slack settings and PORT, checked; a value is never echoed back (it may be secret)."""
    values: dict[str, Any] = {}
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
    ):
        value = env.get(name, "").strip() or None
        prefix = SLACK_TOKEN_PREFIXES.get(name)
        if value is not None and prefix and not value.startswith(prefix):
            raise SettingsError(f"{name} is malformed: a Slack token of this kind starts {prefix}")
        if value is not None and any(c.isspace() for c in value):
            raise SettingsError(f"{name} is malformed: it contains spaces")
        values[name.lower()] = value
    api_url = env.get("SLACK_API_URL", DEFAULT_SLACK_API_URL).strip()
    if not api_url.startswith(("https://", "http://")):
        raise SettingsError("SLACK_API_URL must be a URL such as https://slack.com/api/")
    values["slack_api_url"] = api_url if api_url.endswith("/") else api_url + "/"
    port_text = env.get("PORT", str(DEFAULT_PORT)).strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"PORT={port_text!r} is not a port number between 1 and 65535")
    values["port"] = int(port_text)
    return values


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    """A base URL setting without its trailing slash; https unless it points at this machine."""
    value = env.get(name, default).strip().rstrip("/")
    local = value.startswith(("http://localhost", "http://127.0.0.1"))
    if not (value.startswith("https://") or local) or " " in value or value.count("/") < 2:
        raise SettingsError(f"{name} must be an https URL such as {default}")
    return value


def _teams_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """The Teams and Graph settings, checked; the app password is never echoed back."""
    app_id = env.get("TEAMS_APP_ID", "").strip() or None
    password = env.get("TEAMS_APP_PASSWORD", "").strip() or None
    tenant = env.get("TEAMS_TENANT_ID", "").strip() or None
    calendar_user = env.get("TEAMS_GRAPH_CALENDAR_USER", "").strip() or None
    if app_id is not None and not GUID.match(app_id):
        raise SettingsError("TEAMS_APP_ID is malformed: it is the bot's Microsoft app id, a GUID")
    if tenant is not None and not TENANT.match(tenant):
        raise SettingsError("TEAMS_TENANT_ID is malformed: use the tenant's GUID or domain")
    if password is not None and any(c.isspace() for c in password):
        raise SettingsError("TEAMS_APP_PASSWORD is malformed: it contains spaces")
    if calendar_user is not None and not CALENDAR_USER.match(calendar_user):
        raise SettingsError(
            "TEAMS_GRAPH_CALENDAR_USER is malformed: use the mailbox's address or object id"
        )
    if app_id is not None:
        for name, value in (("TEAMS_APP_PASSWORD", password), ("TEAMS_TENANT_ID", tenant)):
            if value is None:
                raise SettingsError(f"{name} is missing; the Teams bot (TEAMS_APP_ID) needs it")
    return {
        "teams_app_id": app_id,
        "teams_app_password": password,
        "teams_tenant_id": tenant,
        "teams_login_url": _url(env, "TEAMS_LOGIN_URL", DEFAULT_TEAMS_LOGIN_URL),
        "teams_openid_url": _url(env, "TEAMS_OPENID_URL", DEFAULT_TEAMS_OPENID_URL),
        "graph_api_url": _url(env, "GRAPH_API_URL", DEFAULT_GRAPH_API_URL),
        "teams_graph_calendar_user": calendar_user,
    }
