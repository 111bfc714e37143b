"""Sending mail over SMTP with the standard library: STARTTLS when offered, login from the URL.

`SMTP_URL` is `smtp://user:password@relay.example:587` (port 25 by default) or `smtps://...`
(TLS from the start, port 465 by default). The password is never logged or echoed.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from bot.faults import DeferredError, NotifyError, ServerError, UnreachableError

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to reach the relay, read from SMTP_URL."""

    host: str
    port: int
    tls: bool
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpTarget:
    """The relay an SMTP_URL names; ValueError (never echoing the URL) when it is malformed."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:password@relay.example:587")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValueError("SMTP_URL has a port that is not a number") from None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "smtps",
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class SmtpSender:
    """Sends each email in its own SMTP conversation."""

    def __init__(
        self, target: SmtpTarget, *, context: ssl.SSLContext | None = None, timeout: float = 30
    ) -> None:
        self.target = target
        self.context = context or ssl.create_default_context()
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        if target.tls:
            return smtplib.SMTP_SSL(
                target.host, target.port, timeout=self.timeout, context=self.context
            )
        client = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=self.context)
            client.ehlo()
        return client

    def send(self, mail: EmailMessage) -> None:
        """Hand the mail to the relay; a NotifyError says whether trying again may help."""
        try:
            with self._connect() as client:
                if self.target.user:
                    client.login(self.target.user, self.target.password or "")
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise UnreachableError("the relay refused the address") from None
            raise ServerError("the relay deferred the address") from None
        except smtplib.SMTPAuthenticationError:
            raise NotifyError("the relay refused the login in SMTP_URL") from None
        except smtplib.SMTPResponseException as error:
            kind = ServerError if error.smtp_code < 500 else NotifyError
            raise kind(f"the relay answered {error.smtp_code}") from None
        except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, OSError) as error:
            raise DeferredError(f"the relay is not answering ({type(error).__name__})") from None
        except smtplib.SMTPException as error:
            raise ServerError(f"the relay failed ({type(error).__name__})") from None
