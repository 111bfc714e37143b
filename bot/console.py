"""The local console: the whole bot in a terminal or a pipe, on SQLite, with no chat account."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import DBAPIError

from bot.render import Renderer
from commands.core import Core
from commands.language.sanitise import platform_text
from commands.messages import Message, Recipient, Request, UserRef
from storage.reach import unreachable

NAME = re.compile(r"^@?([A-Za-z0-9][A-Za-z0-9._-]{0,63})$")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
STEP = re.compile(r"^\+(\d+)([dhm])$")
STEP_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
PLATFORM = "console"
WORKSPACE = "console"


def at_name(person: Any) -> str:
    """Console mentions are `@name`; an email-only person is named without the `@`."""
    name = getattr(person, "name", None) or getattr(person, "display_name", person)
    if str(getattr(person, "external_id", "")).startswith("email:"):
        return str(name)
    return f"@{name}"


class ConsoleDirectory:
    """Console users are named `@name` and created the first time they are named."""

    def __init__(self, zones: dict[str, str]) -> None:
        self.zones = zones

    def resolve(self, token: str) -> UserRef | None:
        """A `@name` token names a console user."""
        if not token.startswith("@"):
            return None
        match = NAME.match(token.rstrip(".,;:"))
        if not match:
            return None
        name = match.group(1).lower()  # @Tom and @tom are one person
        return UserRef(external_id=name, display_name=name, timezone=self.zones.get(name))


def head(message: Message, channel: str) -> str:
    """Where a message went: `[#channel]`, `[DM @name]` or `[only @name]`."""
    if message.audience in {"channel", "thread"}:
        return f"[#{message.channel or channel}]"
    assert message.recipient is not None
    kind = "DM" if message.audience == "dm" else "only"
    return f"[{kind} @{message.recipient.display_name}]"


def format_block(message: Message, text: str, channel: str, files: list[Path]) -> str:
    """One printed block: the head, the text, and where any attached file was written."""
    lines = [f"{head(message, channel)} {text}"]
    lines += [f"(file: {path})" for path in files]
    return "\n".join(lines)


@dataclass
class ConsoleSession:
    """The console's state: who is typing, where, when, and what the bot prints."""

    core: Core
    user: str
    channel: str
    now: datetime
    out: TextIO
    files_dir: Path
    sweep: Callable[[datetime], list[Message]] | None = None
    mail: Callable[[datetime], None] | None = None
    zones: dict[str, str] = field(default_factory=dict)
    renderer: Renderer = field(default_factory=lambda: Renderer(mention=at_name))
    counter: int = 0

    interactive: bool = False

    def run(self, lines: Iterable[str], prompt: bool = False) -> None:
        """Read lines until the end of input (or Ctrl-C)."""
        try:
            if prompt:
                self._interactive()
                return
            for raw in lines:
                self.line(raw.rstrip("\r\n"))
        except KeyboardInterrupt:
            self.out.write("\n")
            self._say("Stopped. Everything you did is saved.")

    def _interactive(self) -> None:
        """A terminal: a welcome line, then lines read with editing and history (arrow keys)."""
        with contextlib.suppress(ImportError):  # not every Python has it
            import readline  # noqa: F401, PLC0415 - gives input() line editing and history
        self.interactive = True
        self._say(
            f"MDT assistant console. You are @{self.user} in #{self.channel}; the clock says "
            f"{self._clock_text()}. Type /mdt help for the commands, :as NAME to be someone "
            "else, :in CHANNEL, :tz Area/City, :clock +1d; Ctrl-D or Ctrl-C to leave."
        )
        while True:
            try:
                raw = input(self._prompt_text())
            except EOFError:
                self.out.write("\n")
                return
            self.line(raw)

    def _prompt_text(self) -> str:
        return f"{self.user}@#{self.channel}> "

    def _clock_text(self) -> str:
        zone = ZoneInfo(self.zones.get(self.user) or self.core.settings.timezone)
        local = self.now.astimezone(zone)
        return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({zone.key})"

    def line(self, text: str) -> None:
        """Handle one line of input; with the database out of reach, say so and go on."""
        try:
            self._line(text)
        except DBAPIError as error:
            if not unreachable(error):
                raise
            self.emit([self._notice("errors:database_down")])

    def _notice(self, template: str) -> Message:
        """A private word to whoever is typing."""
        return Message(
            audience="private",
            template=template,
            context={},
            zone=self.zones.get(self.user, "Europe/London"),
            channel=self.channel,
            recipient=Recipient(self.user, self.user),
        )

    def _line(self, text: str) -> None:
        stripped = text.strip()
        if not stripped:
            return
        if stripped.startswith(":"):
            self._meta(stripped)
            return
        self.counter += 1
        request = Request(
            platform=PLATFORM,
            workspace=WORKSPACE,
            user=UserRef(self.user, self.user, timezone=self.zones.get(self.user)),
            channel=self.channel,
            text=stripped,
            now=self.now,
            message_id=f"console-{self.now.timestamp():.0f}-{self.counter}",
        )
        directory = ConsoleDirectory(self.zones)
        if re.match(r"^/mdt(\s|$)", stripped, re.IGNORECASE):
            command_text = stripped[4:].strip()
            messages = self.core.handle_command(replace(request, text=command_text), directory)
        else:
            messages = self.core.handle_message(request, directory)
        self.emit(messages)
        self._send_mail()

    def _send_mail(self) -> None:
        """Deliver the email the last line caused (printed as `[email ...]` blocks)."""
        if self.mail is not None:
            self.mail(self.now)
            self.out.flush()

    def emit(self, messages: list[Message]) -> None:
        """Print each message as a block."""
        for message in messages:
            files = [self._write(a.filename, a.content) for a in message.attachments]
            text = self.renderer.render(message)
            self.out.write(format_block(message, text, self.channel, files) + "\n")
        self.out.flush()

    def _write(self, filename: str, content: bytes) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / safe_filename(filename)
        path.write_bytes(content)
        return path

    def _meta(self, text: str) -> None:
        word, _, arg = text.partition(" ")
        arg = arg.strip()
        if word == ":as" and NAME.match(arg):
            self.user = arg.lstrip("@").lower()
        elif word == ":in" and arg:
            self.channel = platform_text(arg.lstrip("#"))
        elif word == ":tz" and _is_zone(arg):
            self.zones[self.user] = arg
            if self.interactive:
                self._say(f"Your zone is {arg}: the time there is {self._clock_text()}.")
        elif word == ":tz" and (guesses := zone_guesses(arg)):
            self._say(f"{arg} is not a zone. Did you mean :tz {' or :tz '.join(guesses)}?")
        elif (
            word == ":clock"
            and (before := self.now)
            and (moved := self._move_clock(arg)) is not False
        ):
            if moved and self.now < before:
                self._say(
                    f"The clock went back to {self._clock_text()}. Reminders already sent "
                    "are not sent again."
                )
            elif moved and self.interactive:
                self._say(f"The clock is now {self._clock_text()}.")
            if moved and self.sweep is not None:
                self.emit(self.sweep(self.now))
            self._send_mail()
        else:
            self._say(
                f"Not understood: {text}. Use :as NAME, :in CHANNEL, :tz Area/City, "
                ":clock ISO-DATETIME or :clock +3d / +4h."
            )

    def _move_clock(self, arg: str) -> bool | None:
        """True when the clock moved; False when `arg` is no time; None when it is too far."""
        step = STEP.match(arg)
        if step:
            try:
                self.now += timedelta(**{STEP_UNITS[step.group(2)]: int(step.group(1))})
            except OverflowError:
                self.emit([self._notice("errors:clock_too_far")])
                return None
            return True
        moment = parse_moment(arg)
        if moment is None:
            return False
        self.now = moment
        return True

    def _say(self, text: str) -> None:
        self.out.write(f"[console] {text}\n")
        self.out.flush()


def safe_filename(name: str) -> str:
    """A file name that stays in the files folder: letters, digits, `.`, `-`, `_` only."""
    return UNSAFE.sub("-", name).lstrip(".-") or "file"


def zone_guesses(text: str) -> list[str]:
    """Zones whose city (or whole name) is the text, or close to it: `Sydney` for Australia."""
    import difflib  # noqa: PLC0415
    from zoneinfo import available_timezones  # noqa: PLC0415 - only on a mistake

    wanted = text.strip().replace(" ", "_").lower()
    if not wanted:
        return []
    zones = sorted(available_timezones())
    by_city = {zone.rsplit("/", 1)[-1].lower(): zone for zone in zones if "/" in zone}
    exact = [z for z in zones if z.lower() == wanted or z.rsplit("/", 1)[-1].lower() == wanted]
    if exact:
        return [z for z in exact if not z.startswith(("Etc/", "SystemV/"))][:3] or exact[:1]
    close = difflib.get_close_matches(wanted, list(by_city), n=3, cutoff=0.8)
    return [by_city[c] for c in close]


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def parse_moment(text: str) -> datetime | None:
    """An ISO date-time; without an offset it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_console(
    core: Core,
    *,
    user: str,
    channel: str,
    now: datetime,
    files_dir: Path,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    sweep: Callable[[datetime], list[Message]] | None = None,
    mail: Callable[[datetime], None] | None = None,
) -> int:
    """Run the console until the end of input; exit status 0.

    Bytes that are not UTF-8 come in as lone surrogates (made U+FFFD by the core), and what
    cannot be printed is printed as a replacement, so no input stops the console.
    """
    for stream, errors in ((stdin, "surrogateescape"), (stdout, "replace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=errors)
    session = ConsoleSession(
        core=core,
        user=user.lstrip("@").lower(),
        channel=channel,
        now=now,
        out=stdout,
        files_dir=files_dir,
        sweep=sweep,
        mail=mail,
    )
    session.run(stdin, prompt=stdin.isatty())
    return 0
