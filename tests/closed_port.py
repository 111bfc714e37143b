"""A database URL nothing listens on: the database is down for whoever uses it."""

from __future__ import annotations

import socket

from storage.db import Store, make_engine


def closed_port_url() -> str:
    """A PostgreSQL URL on a loopback port that was free a moment ago (connections refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://mdt:not-the-password@127.0.0.1:{port}/mdt?connect_timeout=2"


def down_store() -> Store:
    """A store whose database cannot be reached."""
    return Store(make_engine(closed_port_url()))
