"""Messages to and from JSON, so the outbox can hold them until a worker delivers them.

View models (dataclasses) come back as plain namespaces with the same fields, dates and
moments as `date` and aware `datetime`: enough for every template that reads fields.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, cast

from commands.messages import Attachment, Audience, Button, Message, Recipient


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a message")
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$object": fields}
    if isinstance(value, SimpleNamespace):
        return {"$object": {k: _encode(v) for k, v in vars(value).items()}}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"$datetime"}:
        return datetime.fromisoformat(value["$datetime"])
    if set(value) == {"$date"}:
        return date.fromisoformat(value["$date"])
    if set(value) == {"$object"}:
        return SimpleNamespace(**{k: _decode(v) for k, v in value["$object"].items()})
    return {k: _decode(v) for k, v in value.items()}


def encode_message(message: Message) -> dict[str, Any]:
    """A JSON-safe form of a message."""
    recipient = message.recipient
    return {
        "audience": message.audience,
        "template": message.template,
        "context": _encode(message.context),
        "zone": message.zone,
        "channel": message.channel,
        "thread_id": message.thread_id,
        "recipient": [recipient.external_id, recipient.display_name] if recipient else None,
        "buttons": [[b.label, b.value, b.style] for b in message.buttons],
        "attachments": [
            [a.filename, base64.b64encode(a.content).decode(), a.media_type]
            for a in message.attachments
        ],
        "kind": message.kind,
        "meta": _encode(message.meta),
    }


def decode_message(data: Mapping[str, Any]) -> Message:
    """The message a JSON form was made from."""
    recipient = data.get("recipient")
    return Message(
        audience=cast(Audience, data["audience"]),
        template=data["template"],
        context=_decode(data["context"]),
        zone=data["zone"],
        channel=data.get("channel"),
        thread_id=data.get("thread_id"),
        recipient=Recipient(recipient[0], recipient[1]) if recipient else None,
        buttons=tuple(
            button
            for label, value, style in data.get("buttons", [])
            if (button := Button.pressed(value, label, style)) is not None
        ),
        attachments=tuple(
            Attachment(name, base64.b64decode(content), media)
            for name, content, media in data.get("attachments", [])
        ),
        kind=data.get("kind", "text"),
        meta=_decode(data.get("meta", {})),
    )
