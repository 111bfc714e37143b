"""The record as it stood at `/mdt end`: a meeting's view frozen to JSON, and thawed again."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any

from commands.documents.views import MeetingView

SNAPSHOT_FORMAT = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def freeze(view: MeetingView) -> dict[str, Any]:
    """The JSON form of a meeting's full view."""
    return {"format": SNAPSHOT_FORMAT, "meeting": _plain(view)}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _thaw(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in {types.UnionType, typing.Union}:
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return _thaw(options[0], value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_thaw(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(kind)
        return {k: _thaw(item, v) for k, v in value.items()}
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        known = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: _thaw(hints[k], v) for k, v in value.items() if k in known})
    return value


def thaw(record: dict[str, Any]) -> MeetingView:
    """The meeting's view from its JSON form."""
    view = _thaw(MeetingView, record["meeting"])
    assert isinstance(view, MeetingView)
    return view
