"""Telling a database that cannot be reached from any other failure."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError


def unreachable(error: BaseException) -> bool:
    """True when the error means the database could not be reached (or the link to it broke).

    A refused or dropped connection, a server shutting down, an SQLite file that cannot be
    opened: SQLAlchemy's OperationalError and InterfaceError, or any DBAPI error after which
    the connection was invalidated.
    """
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def where(url: str) -> str:
    """The database's address for a message: driver, host and database, never the password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "an unreadable URL"
    host = f"{parsed.host}:{parsed.port}" if parsed.port else (parsed.host or "")
    name = parsed.database or ""
    return f"{parsed.get_backend_name()} {host}/{name}".replace(" /", " ").strip()
