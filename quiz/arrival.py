"""When a request reached the server: stamped before anything else runs, so queueing never counts against it.

A live answer is in time, and scores its speed, by when it arrived, not by
when a busy process got round to it. The stamp is taken by the outermost
WSGI layer, as the worker hands the parsed request to the app: everything
the app then waits for (the database's lock, the group commit, other
requests' turns) comes after it. What comes before it is the time the
worker took to read the request off its connection; under gevent that is
one turn of the event loop, the work of the requests that became ready at
the same moment, which the group commit keeps to about a millisecond each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

ENVIRON_KEY = "quiz.arrived"  # a WSGI environ key: set by the server side only, never by a client


class ArrivalStamp:
    """WSGI middleware, outermost: stamps ``environ["quiz.arrived"]`` unless a layer before it did."""

    def __init__(self, app, clock: Callable[[], datetime]):
        self.app = app
        self.clock = clock

    def __call__(self, environ, start_response):
        """Stamp the request, then hand it on."""
        if ENVIRON_KEY not in environ:
            environ[ENVIRON_KEY] = self.clock()
        return self.app(environ, start_response)


def arrived(environ: dict, fallback: Callable[[], datetime]) -> datetime:
    """When the request in ``environ`` reached the server (``fallback()`` if nothing stamped it)."""
    stamp = environ.get(ENVIRON_KEY)
    return stamp if isinstance(stamp, datetime) else fallback()
