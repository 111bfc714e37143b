"""Slack modals: the /mdt new form, a box to finish a button's command, message shortcuts."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from commands.meetings.forms import MeetingForm
from commands.meetings.types import meeting_types

NEW_MEETING = "mdt_new_meeting"
COMPLETE = "mdt_complete"
SHORTCUT_DECISION = "mdt_record_decision"
SHORTCUT_ACTION = "mdt_make_action"
SHORTCUT_VIEW = "mdt_shortcut"
DURATIONS: tuple[tuple[str, str], ...] = (
    ("30 minutes", "30m"),
    ("45 minutes", "45m"),
    ("1 hour", "1h"),
    ("1½ hours", "1h30"),
    ("2 hours", "2h"),
    ("3 hours", "3h"),
)
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MEETING_REF = re.compile(r"^[Mm]\d{1,9}$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ERROR_FIELDS = {
    "new_needs_title": "title",
    "too_long": "title",
    "control_characters": "title",
    "new_needs_date": "date",
    "in_the_past": "date",
    "bad_when": "date",
    "new_needs_time": "time",
    "unknown_type": "type",
    "unknown_person": "invitees",
}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": False}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    element = {"action_id": "value", **element}
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def new_meeting_view(channel: str, today: date) -> dict[str, Any]:
    """The form `/mdt new` opens."""
    types = [_option(t.label, name) for name, t in sorted(meeting_types().items())][:100]
    blocks = [
        _input("title", "Title", {"type": "plain_text_input", "max_length": 200}),
        _input("date", "Date", {"type": "datepicker", "initial_date": today.isoformat()}),
        _input("time", "Start time", {"type": "timepicker", "initial_time": "10:00"}),
        _input(
            "duration",
            "Length",
            {"type": "static_select", "options": [_option(*d) for d in DURATIONS]},
            optional=True,
        ),
        _input("type", "Meeting type", {"type": "static_select", "options": types}, optional=True),
        _input(
            "case",
            "Case reference (never a name)",
            {"type": "plain_text_input", "max_length": 40},
            optional=True,
        ),
        _input("invitees", "Invite", {"type": "multi_users_select"}, optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": NEW_MEETING,
        "title": _plain("New MDT meeting"),
        "submit": _plain("Schedule"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": blocks,
    }


def _value(values: dict[str, Any], block: str) -> Any:
    field = values.get(block, {}).get("value", {})
    if not isinstance(field, dict):
        return None
    kind = field.get("type")
    if kind == "datepicker":
        return field.get("selected_date")
    if kind == "timepicker":
        return field.get("selected_time")
    if kind == "static_select":
        option = field.get("selected_option") or {}
        return option.get("value") if isinstance(option, dict) else None
    if kind == "multi_users_select":
        users = field.get("selected_users") or []
        return [u for u in users if isinstance(u, str)]
    value = field.get("value")
    return value.strip() if isinstance(value, str) else None


def state_values(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted `state.values` of a view."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The view's private metadata (JSON written by us)."""
    try:
        loaded = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def new_meeting_form(view: dict[str, Any]) -> tuple[MeetingForm | None, dict[str, str]]:
    """The meeting a submitted form asks for, or inline errors per field."""
    values = state_values(view)
    title = _value(values, "title") or ""
    day = _value(values, "date")
    time = _value(values, "time")
    length = _value(values, "duration")
    kind = _value(values, "type")
    case = _value(values, "case")
    invitees = _value(values, "invitees") or []
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the meeting a title."
    elif CONTROL.search(title):
        errors["title"] = "The title has characters that cannot be shown."
    if not isinstance(day, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", day):
        errors["date"] = "Pick the date of the meeting."
    if not isinstance(time, str) or not TIME.match(time):
        errors["time"] = "Pick a start time such as 10:00."
    if length is not None and length not in {d[1] for d in DURATIONS}:
        errors["duration"] = "Pick one of the lengths offered."
    if kind is not None and kind not in meeting_types():
        errors["type"] = "Pick one of the meeting types offered."
    if case and (len(case.split()) != 1 or CONTROL.search(case)):
        errors["case"] = "A case reference is one word such as AB-1234, never a name."
    if errors:
        return None, errors
    form = MeetingForm(
        title=title,
        date=str(day),
        time=str(time),
        duration=length or "",
        kind=kind or "",
        case=case or "",
        invitees=tuple(f"<@{u}>" for u in invitees),
    )
    return form, {}


def field_for_error(template: str) -> str:
    """Which form field an error from the core belongs to (the title when unsure)."""
    _, _, name = template.partition(":")
    return ERROR_FIELDS.get(name, "title")


def complete_view(command: str, channel: str, label: str, *, required: bool) -> dict[str, Any]:
    """A small form asking for the words a button's command still needs."""
    return {
        "type": "modal",
        "callback_id": COMPLETE,
        "title": _plain(command[:24]),
        "submit": _plain("Send"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"command": command, "channel": channel}),
        "blocks": [
            _input(
                "text",
                label[:2000],
                {"type": "plain_text_input", "multiline": True, "max_length": 2000},
                optional=not required,
            )
        ],
    }


def shortcut_view(callback_id: str, channel: str, ts: str, text: str) -> dict[str, Any]:
    """The form a message shortcut opens, filled with the message's text."""
    is_decision = callback_id == SHORTCUT_DECISION
    hint = "Decision, optionally `because` a rationale" if is_decision else "@owner what by when"
    return {
        "type": "modal",
        "callback_id": SHORTCUT_VIEW,
        "title": _plain("Record as decision" if is_decision else "Make an action"),
        "submit": _plain("Record"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(
            {"command": "decision" if is_decision else "action", "channel": channel, "ts": ts}
        ),
        "blocks": [
            _input(
                "meeting",
                "Meeting (leave empty for the one running in the channel)",
                {"type": "plain_text_input", "max_length": 12},
                optional=True,
            ),
            _input(
                "text",
                hint,
                {
                    "type": "plain_text_input",
                    "multiline": True,
                    "max_length": 2000,
                    "initial_value": text[:2000],
                },
            ),
        ],
    }


def shortcut_record(view: dict[str, Any]) -> tuple[tuple[str, str, str] | None, dict[str, str]]:
    """What a shortcut form records (decision or action, meeting ref, text), or inline errors."""
    values = state_values(view)
    word = metadata(view).get("command")
    meeting = _value(values, "meeting") or ""
    text = _value(values, "text") or ""
    errors: dict[str, str] = {}
    if word not in {"decision", "action"}:
        errors["text"] = "This form has expired; use the shortcut again."
    if meeting and not MEETING_REF.match(meeting):
        errors["meeting"] = "A meeting reference such as M3."
    if not text:
        errors["text"] = "Write what to record."
    if errors:
        return None, errors
    return (str(word), meeting, text), {}


def completed(view: dict[str, Any]) -> tuple[str, str]:
    """The button's command and the words typed into its form."""
    command = str(metadata(view).get("command") or "")
    return command, _value(state_values(view), "text") or ""
