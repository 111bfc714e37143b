"""iCalendar invites: a stable UID per meeting, SEQUENCE raised on change, REQUEST or CANCEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.models import Meeting

PRODID = "-//MDT assistant//Multi-agency meetings//EN"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets as RFC 5545 asks."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        size = 75 if start == 0 else 74
        end = min(start + size, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in a year at which the zone's offset changes."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment += step
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            found.append(moment)
            previous = offset
    return found


def vtimezone(zone: ZoneInfo, year: int) -> list[str]:
    """A VTIMEZONE block for the zone, with that year's transitions."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    changes = _transitions(zone, year)
    if not changes:
        jan = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
        return [
            *lines,
            "BEGIN:STANDARD",
            f"DTSTART:{year}0101T000000",
            f"TZOFFSETFROM:{_offset(jan.utcoffset())}",
            f"TZOFFSETTO:{_offset(jan.utcoffset())}",
            f"TZNAME:{jan.tzname()}",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    for change in changes:
        before = (change - timedelta(hours=1)).astimezone(zone)
        after = change.astimezone(zone)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        local_start = (change + (before.utcoffset() or timedelta())).replace(tzinfo=None)
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{local_start:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(before.utcoffset())}",
            f"TZOFFSETTO:{_offset(after.utcoffset())}",
            f"TZNAME:{after.tzname()}",
            f"END:{kind}",
        ]
    return [*lines, "END:VTIMEZONE"]


def ics_for(meeting: Meeting, domain: str = "mdt.invalid") -> bytes:
    """The .ics invite for a meeting: REQUEST while it stands, CANCEL once cancelled."""
    zone = ZoneInfo(meeting.timezone)
    start = meeting.starts_at.astimezone(zone)
    end = meeting.ends_at.astimezone(zone)
    cancelled = meeting.status == "cancelled"
    summary = f"{meeting.ref} {meeting.title}"
    description = f"Multi-agency meeting {meeting.ref}. Chair: {meeting.chair.display_name}."
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        *vtimezone(zone, start.year),
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.workspace_id}-{meeting.number}@{domain}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{meeting.created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID={zone.key}:{start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={zone.key}:{end:%Y%m%dT%H%M%S}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
