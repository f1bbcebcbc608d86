"""When a request reached the server, so that queueing inside it never counts against the request.

A live answer is in time, and scores its speed, by when it arrived, not by
when a busy process got round to it. Under ``quiz serve`` (gevent) the
worker asks the kernel to stamp every packet it receives on a connection
(``SO_TIMESTAMPNS``), and the connection remembers the stamp of the last
data it read (``StampedSocket``): that is the moment the request's bytes
were in the machine, however long they then waited for the worker's event
loop to come round to them. The outermost WSGI layer (``ArrivalStamp``) also
stamps the request by the app's clock as the worker hands it over, for
servers without the kernel's stamp (gthread, the development server, the
test client) and for apps whose clock is set (tests).

What bounds it: the kernel's stamp is taken when the packet is received,
before any queue of this process; the WSGI stamp only after the worker has
read the request, so it misses the wait for the event loop's turn (under a
full CPU, the work of every request that became ready before it).
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from datetime import UTC, datetime

ENVIRON_KEY = "quiz.arrived"  # WSGI environ keys: set by the server side only, never by a client
REAL_TIME_KEY = "quiz.real_time"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux's value, which Python does not export
_TIMESPEC = struct.Struct("@ll")  # seconds and nanoseconds, as the kernel hands them over
_ANCILLARY = socket.CMSG_SPACE(_TIMESPEC.size)


class StampedSocket:
    """A connection whose reads keep the kernel's receive time of their data (all else is the socket's)."""

    def __init__(self, connection: socket.socket):
        self._connection = connection
        self.received: float | None = None  # epoch seconds of the last data read for this request
        try:
            connection.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            self._stamped = True
        except OSError:  # not Linux, or not a socket that takes it: no kernel stamp, the WSGI one stands
            self._stamped = False

    def recv(self, size: int, flags: int = 0) -> bytes:
        """Read as ``socket.recv`` does, noting when the kernel received what was read."""
        if not self._stamped:
            return self._connection.recv(size, flags)
        data, ancillary, _flags, _address = self._connection.recvmsg(size, _ANCILLARY, flags)
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= _TIMESPEC.size:
                seconds, nanoseconds = _TIMESPEC.unpack_from(value)
                self.received = seconds + nanoseconds / 1e9
        return data

    def forget(self) -> None:
        """The request is answered: the next one's stamp comes from its own data."""
        self.received = None

    def __getattr__(self, name: str):
        return getattr(self._connection, name)


class ArrivalStamp:
    """WSGI middleware, outermost: stamps ``environ["quiz.arrived"]`` with the app's clock."""

    def __init__(self, app, clock: Callable[[], datetime], real_time: Callable[[], bool]):
        self.app = app
        self.clock = clock
        self.real_time = real_time  # False while the app runs on a set clock: the kernel's would not match

    def __call__(self, environ, start_response):
        """Stamp the request, then hand it on."""
        environ[ENVIRON_KEY] = self.clock()
        environ[REAL_TIME_KEY] = self.real_time()
        return self.app(environ, start_response)


def arrived(environ: dict, fallback: Callable[[], datetime]) -> datetime:
    """When the request in ``environ`` reached the server: read its body first, so the stamp covers it.

    The kernel's receive time of the last data read for it when the server
    keeps one (never later than the WSGI stamp unless the body came after
    the head), else the WSGI stamp, else ``fallback()``.
    """
    stamp = environ.get(ENVIRON_KEY)
    connection = environ.get("gunicorn.socket")
    received = getattr(connection, "received", None)
    if received is not None and environ.get(REAL_TIME_KEY):
        return datetime.fromtimestamp(received, UTC)
    return stamp if isinstance(stamp, datetime) else fallback()
