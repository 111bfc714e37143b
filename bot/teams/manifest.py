"""The Teams app package: manifest.json naming the bot, its scopes and commands, and two icons."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import Settings, SettingsError
from bot.render import Renderer
from commands import catalogue  # noqa: F401 - registers every command
from commands.messages import Message
from commands.registry import COMMANDS

SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.17"
ACCENT = (0x00, 0x5E, 0xB8)
SCOPES = ["personal", "team", "groupChat"]
LISTED = ("help", "new", "list", "show", "actions", "attend", "agenda", "start", "end", "minutes")
Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG drawn pixel by pixel, written with zlib and struct only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _bubble(size: int, x: int, y: int) -> bool:
    """A speech bubble with a tail: the mark both icons draw."""
    cx, cy, rx, ry = size / 2, size * 0.45, size * 0.36, size * 0.27
    inside = ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1
    tail = size * 0.30 <= x < size * 0.45 and cy <= y < size * 0.82 - (x - size * 0.30)
    return inside or tail


def color_icon() -> bytes:
    """192x192: a white bubble on the accent colour."""
    white, accent = (255, 255, 255, 255), (*ACCENT, 255)
    return png(192, 192, lambda x, y: white if _bubble(192, x, y) else accent)


def outline_icon() -> bytes:
    """32x32: the bubble in white on a transparent ground."""
    return png(32, 32, lambda x, y: (255, 255, 255, 255) if _bubble(32, x, y) else (0, 0, 0, 0))


def _say(renderer: Renderer, name: str, **context: Any) -> str:
    message = Message(audience="private", template=f"teams:{name}", context=context, zone="UTC")
    return renderer.render(message)


def manifest(app_id: str, website: str) -> dict[str, Any]:
    """manifest.json for the bot with this Microsoft app id."""
    renderer = Renderer(mention=str)
    site = website.rstrip("/")
    commands = [
        {"title": name, "description": COMMANDS[name].summary[:128]}
        for name in LISTED
        if name in COMMANDS
    ]
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": "1.0.0",
        "id": app_id,
        "developer": {
            "name": "MDT assistant",
            "websiteUrl": site,
            "privacyUrl": f"{site}/privacy",
            "termsOfUseUrl": f"{site}/terms",
        },
        "name": {"short": "MDT", "full": _say(renderer, "app_name")[:100]},
        "description": {
            "short": _say(renderer, "app_short")[:80],
            "full": _say(renderer, "app_full")[:4000],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": SCOPES,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": SCOPES, "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [urlsplit(site).netloc],
        "webApplicationInfo": {"id": app_id, "resource": f"api://botid-{app_id}"},
        "authorization": {
            "permissions": {
                "resourceSpecific": [
                    {"name": "ChannelMessage.Read.Group", "type": "Application"},
                    {"name": "ChatMessage.Read.Chat", "type": "Application"},
                ]
            }
        },
    }


def app_package(app_id: str, website: str) -> bytes:
    """The zip Teams accepts: manifest.json and the two icons at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest(app_id, website), indent=2))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return buffer.getvalue()


def write_package(settings: Settings, website: str, path: Path) -> str:
    """Write the package for the configured app id; what to tell the person who asked."""
    if not settings.teams_app_id:
        raise SettingsError("TEAMS_APP_ID is missing; the Teams app package names the bot by it")
    path.write_bytes(app_package(settings.teams_app_id, website))
    return _say(Renderer(mention=str), "manifest_written", path=str(path)) + "\n"
