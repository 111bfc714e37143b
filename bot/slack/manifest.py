"""The Slack app manifest: what `mdtbot manifest slack` prints and the listeners must match."""

from __future__ import annotations

from typing import Any

import yaml

COMMAND = "/mdt"
BOT_SCOPES = (
    "chat:write",
    "commands",
    "im:write",
    "users:read",
    "reactions:write",
    "files:write",
    "channels:history",
    "groups:history",
)
BOT_EVENTS = ("app_home_opened", "message.channels", "message.groups")
SHORTCUTS = (
    ("mdt_record_decision", "Record as decision", "Record this message as a meeting decision"),
    ("mdt_make_action", "Make an action", "Make this message a SMART action"),
)


def manifest(url: str = "https://mdt.example.org") -> dict[str, Any]:
    """The manifest as data, for an app served at `url`."""
    events = f"{url}/slack/events"
    return {
        "display_information": {
            "name": "MDT assistant",
            "description": "The record and the follow-up for multi-agency meetings.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "MDT", "always_online": True},
            "shortcuts": [
                {"name": name, "type": "message", "callback_id": cid, "description": description}
                for cid, name, description in SHORTCUTS
            ],
            "slash_commands": [
                {
                    "command": COMMAND,
                    "url": events,
                    "description": "Run MDT meetings: /mdt help",
                    "usage_hint": "new | list | show M3 | start M3 | actions mine | help",
                    "should_escape": True,
                }
            ],
        },
        "oauth_config": {
            "redirect_urls": [f"{url}/slack/oauth_redirect"],
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": {"request_url": events, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, "request_url": events},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(url: str = "https://mdt.example.org") -> str:
    """The manifest as YAML, ready to paste into Slack's 'create an app from a manifest'."""
    return yaml.safe_dump(manifest(url), sort_keys=False, allow_unicode=True)
