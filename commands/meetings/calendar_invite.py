"""iCalendar invites (RFC 5545/5546): organizer, attendees, full zone rules, REQUEST or CANCEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.models import Meeting
from storage.status import MeetingStatus

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


def _offset_at(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta()


def _transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[datetime]:
    """The UTC instants from one year to the end of another at which the zone's offset changes.

    Found hour by hour, then to the minute (some zones change on the half hour).
    """
    found = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    previous = _offset_at(zone, moment)
    while moment < end:
        moment += step
        offset = _offset_at(zone, moment)
        if offset != previous:
            low, high = moment - step, moment
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (
                    (middle, high) if _offset_at(zone, middle) == previous else (low, middle)
                )
            found.append(high)
            previous = offset
    return found


def vtimezone(zone: ZoneInfo, year: int) -> list[str]:
    """A VTIMEZONE block for the zone: every change from the year before to the year after.

    Each change is DAYLIGHT when it moves the clocks forward and STANDARD when back, whatever
    the zone calls summer (Europe/Dublin's tz rules name winter time the exception).
    """
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    changes = _transitions(zone, year - 1, year + 1)
    if not changes:
        jan = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
        return [
            *lines,
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{_offset(jan.utcoffset())}",
            f"TZOFFSETTO:{_offset(jan.utcoffset())}",
            f"TZNAME:{jan.tzname()}",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    for change in changes:
        before = (change - timedelta(minutes=1)).astimezone(zone)
        after = change.astimezone(zone)
        offset_from = before.utcoffset() or timedelta()
        offset_to = after.utcoffset() or timedelta()
        kind = "DAYLIGHT" if offset_to > offset_from else "STANDARD"
        local_start = (change + offset_from).replace(tzinfo=None)
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{local_start:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(offset_from)}",
            f"TZOFFSETTO:{_offset(offset_to)}",
            f"TZNAME:{after.tzname()}",
            f"END:{kind}",
        ]
    return [*lines, "END:VTIMEZONE"]


def _address(name: str, email: str | None, fallback: str, *params: str) -> str:
    """A calendar user: `;CN="name";...:mailto:email` (RFC 5545 cal-address)."""
    cn = name.replace('"', "'").replace("\n", " ")
    return ";".join([f'CN="{cn}"', *params]) + f":mailto:{email or fallback}"


def ics_for(
    meeting: Meeting,
    domain: str = "localhost",
    issued: datetime | None = None,
    organizer: str | None = None,
) -> bytes:
    """The .ics invite for a meeting: REQUEST while it stands, CANCEL once cancelled.

    RFC 5546 asks REQUEST and CANCEL for an ORGANIZER (the chair) and the ATTENDEEs (those
    invited, by email where known); the UID carries the deployment's own domain; DTSTAMP is
    the moment the invite is issued. `organizer`, when given, is the ORGANIZER's address (the
    deployment's sender, for email), the chair still its CN.
    """
    zone = ZoneInfo(meeting.timezone)
    start = meeting.starts_at.astimezone(zone)
    end = meeting.ends_at.astimezone(zone)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    summary = f"{meeting.ref} {meeting.title}"
    description = f"Multi-agency meeting {meeting.ref}. Chair: {meeting.chair.display_name}."
    stamp = (issued or meeting.created_at).astimezone(UTC)
    mailbox = f"mdt@{domain}"
    chair = _address(meeting.chair.display_name, organizer or meeting.chair.email, mailbox)
    attendees = [
        "ATTENDEE;"
        + _address(
            i.person.display_name,
            i.person.email,
            mailbox,
            "CUTYPE=INDIVIDUAL",
            "ROLE=CHAIR" if i.person_id == meeting.chair_id else "ROLE=REQ-PARTICIPANT",
            "PARTSTAT=NEEDS-ACTION",
            *(() if cancelled else ("RSVP=TRUE",)),
        )
        for i in sorted(meeting.invitations, key=lambda i: i.person_id)
        if i.person.email
    ]
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
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID={zone.key}:{start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={zone.key}:{end:%Y%m%dT%H%M%S}",
        f"ORGANIZER;{chair}",
        *attendees,
        *([f"LOCATION:{_escape(venue)}"] if (venue := getattr(meeting, "venue", None)) else []),
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
