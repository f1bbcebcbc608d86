"""Pooled PostgreSQL connections that the server closed are replaced at checkout, without a round trip.

SQLAlchemy's pre-ping sends ``SELECT 1`` at every checkout: under a hall of
answers that is a round trip, a switch of the worker's loop and work on the
server for every request, about an eighth of a live worker's time. A pooled
connection sits outside any transaction, so the server has nothing to tell it
unless it is going away: a restart or a terminated backend sends a FATAL
message and closes the socket. libpq reads whatever has arrived without
waiting (its socket is always non-blocking), so checkout asks it to read
twice: the message, then the end of the stream, which fails. A connection
whose socket has closed is discarded and the pool connects afresh (raising
``DisconnectionError`` from a checkout listener is SQLAlchemy's way to say so).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

READS = 2  # the FATAL message a closing server sends, then the end of the stream


def replace_closed_connections(engine: Engine) -> None:
    """Check each connection a PostgreSQL ``engine``'s pool hands out (imported only for PostgreSQL)."""
    event.listen(engine, "checkout", _closed_by_server)


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Raise DisconnectionError if the server closed this connection while it sat in the pool."""
    connection = dbapi_connection.pgconn
    try:
        for _ in range(READS):
            connection.consume_input()
    except psycopg.OperationalError as exc:
        raise DisconnectionError(str(exc)) from exc
    if connection.status != pq.ConnStatus.OK:
        raise DisconnectionError("the connection to PostgreSQL is no longer open")
