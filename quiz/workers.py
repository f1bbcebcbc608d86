"""Gunicorn's workers, made to stop without holding anyone up.

On SIGTERM (a stop) a worker tells the app first: ``/readyz`` turns unready
for a load balancer, and every live event stream ends at once with an event
to reconnect, which the browser does after a short random pause, to a worker
that is not stopping. On HAND_OVER (from ``quiz.arbiter``: the old workers of
a reload, or of a master upgraded in place, whose successors serve already)
the streams end each at its own moment over a few seconds instead. The gevent
worker also stops accepting at once (gunicorn's own accepts for up to a
second more, and a stream reconnecting in that second came back to the
worker that was leaving), closes each connection once its response is done
and those that sit idle between two requests (as gunicorn's gthread worker
does), where they would otherwise hold the process for their whole
keep-alive time, and exits as soon as its last request is done. So the
graceful timeout waits only for the requests in progress, and the process is
gone within a fraction of a second.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from functools import partial

import gevent
from flask import Flask
from gevent.event import Event
from gevent.pool import Pool
from gevent.server import StreamServer
from gunicorn.sock import ssl_context
from gunicorn.workers.ggevent import GeventWorker
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.workertmp import WorkerTmp

from quiz.arrival import StampedSocket
from quiz.collector import freeze_what_lasts


def worker_ready(worker) -> None:
    """Log that a worker has loaded the app and serves (after a reload or an upgrade, the old may go).

    What it loaded lasts as long as it does: out of the collector's reach from now (``quiz.collector``).
    """
    freeze_what_lasts()
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def stop_serving(app: Flask, spread: float = 0.0) -> None:
    """Tell the app its process is stopping: /readyz turns unready, and every event stream ends
    (now, or each at its moment within ``spread`` seconds)."""
    from quiz import health
    from quiz.live import watcher

    health.stopping(app)
    watcher.drain_streams(app, spread)


STOP_LINGER_SECONDS = 0.5  # as gunicorn's gthread worker lingers on kept-alive connections when stopping
DRAIN_CHECK_SECONDS = 0.02  # how often a stopping worker looks whether its last request is done
# A worker handing over to others that serve (a reload, an upgrade in place) ends its streams over
# this time rather than at once: each phone is without a stream only for its own reconnection, and
# the new workers take a hall's streams a few at a time instead of all in the same second.
HANDOVER_SECONDS = 5.0
HAND_OVER = signal.SIGUSR2  # from quiz.arbiter: stop, others serve (gunicorn's workers leave it unset)


def leave_now(status: int, log) -> None:
    """Flush the logs and end the process at once, without the interpreter's teardown."""
    for handler in (*logging.getLogger().handlers, *log.error_log.handlers, *log.access_log.handlers):
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _idle(server: StreamServer) -> bool:
    """Whether none of the server's connections has a request under way."""
    pool = server.pool
    return pool is None or pool.free_count() == pool.size


class BootMark:
    """A worker the master can ask whether it serves yet (``quiz.arbiter`` reloads by it).

    The worker object is made in the master before the fork; its heartbeat
    file's time changes with the first beat, which comes once the app is
    loaded and the worker accepts.
    """

    tmp: WorkerTmp  # set by gunicorn's Worker.__init__, which the class this mixes into provides

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spawned_mark = self.tmp.last_update()

    def serves(self) -> bool:
        """In the master: whether this worker has loaded the app and serves (its first heartbeat came)."""
        return self.tmp.last_update() != self.spawned_mark


class _NextRequest:
    """A connection's wait for its next request (gunicorn's keep-alive timeout), known to its worker."""

    def __init__(self, waits: dict, seconds: float):
        self.waits = waits
        # False: when it fires, the connection just closes (gevent documents it; its stubs omit False).
        self.timeout = gevent.Timeout(seconds, False)  # type: ignore[arg-type]

    def __enter__(self):
        self.waits[gevent.getcurrent()] = self.timeout
        return self.timeout.__enter__()

    def __exit__(self, *failure):
        self.waits.pop(gevent.getcurrent(), None)
        return self.timeout.__exit__(*failure)


def cooperative_psycopg() -> None:
    """Make psycopg wait for PostgreSQL through gevent's loop, as it would had gevent patched first.

    Psycopg picks how it waits for the server when it is first imported: a
    C ``poll()`` unless gevent has patched ``select`` by then. The master
    imports it with the app, before the fork and before the worker patches,
    so without this every query would block the worker's whole loop (every
    stream, every other request) for its round trip to the server.
    """
    if "psycopg.waiting" not in sys.modules:  # not imported yet: it will see the patch itself
        return
    import selectors

    from psycopg import waiting

    waiting.wait = waiting.wait_poll  # select.poll, read at each call: gevent's after the patch
    waiting.DefaultSelector = selectors.DefaultSelector  # type: ignore[misc]  # wait_conn (connecting) uses it


class StoppingGeventWorker(BootMark, GeventWorker):
    """Gunicorn's gevent worker, which tells the app when it is asked to stop and drops idle connections."""

    hands_over = True  # it takes HAND_OVER: the master may send it instead of SIGTERM

    def patch(self) -> None:
        """Patch with gevent as gunicorn does; then let psycopg, imported before, wait through the loop."""
        super().patch()
        cooperative_psycopg()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._spread = 0.0
        self._stop_begun = False
        self._waiting: dict = {}  # greenlet -> the keep-alive timeout it waits under
        self._stopping: Event | None = None  # made in the worker process, after gevent's fork

    def run(self) -> None:
        """Gunicorn's gevent loop, except in how it stops: at once, and done when its last request is.

        Gunicorn's own loop notices a stop only at its next whole second, and
        looks again for finished requests only once a second.
        """
        self._stopping = Event()
        # Through gevent, SIGTERM wakes the loop at once; a plain Python handler runs only when the
        # loop next wakes for something else (up to the second below).
        gevent.signal_handler(signal.SIGTERM, self.handle_exit, signal.SIGTERM, None)
        gevent.signal_handler(HAND_OVER, self.hand_over)
        servers = [self._server(listener) for listener in self.sockets]
        for server in servers:
            server.start()
        while self.alive:
            self.notify()
            self._stopping.wait(1.0)
        for server in servers:
            # No new connections: they go to the workers that stay. The socket stays open (it is
            # the other workers' too), for the connections accepted already still read its name.
            server.stop_accepting()
        limit = time.monotonic() + self.cfg.graceful_timeout
        beat = time.monotonic()
        while not all(_idle(server) for server in servers):
            if time.monotonic() > limit:
                self.log.warning("Worker graceful timeout (pid:%s)", self.pid)
                for server in servers:
                    server.stop(timeout=1)
                return
            if time.monotonic() - beat >= 1.0:  # the master kills a worker that stops beating
                self.notify()
                beat = time.monotonic()
            gevent.sleep(DRAIN_CHECK_SECONDS)
        self._exit_now()

    def _exit_now(self) -> None:
        """Every request is done: leave without tearing the interpreter down (half a second of CPU).

        What the process wrote is committed or flushed already; the database
        keeps nothing a closed connection would add.
        """
        self.log.info("Worker exiting (pid: %s)", self.pid)
        leave_now(0, self.log)


    def _server(self, listener) -> StreamServer:
        """The server for one listening socket, made as gunicorn's gevent worker makes it."""
        extra = {"ssl_context": ssl_context(self.cfg)} if self.cfg.is_ssl else {}
        listener.setblocking(1)
        server = StreamServer(listener, handle=partial(self.handle, listener),
                              spawn=Pool(self.worker_connections), **extra)
        if self.cfg.workers > 1:
            server.max_accept = 1
        return server

    def handle_request(self, listener_name, req, sock, addr):
        """Serve one request; once the worker is stopping, close the connection after the response.

        A client's next request on it (a stream reconnecting, say) then opens
        a new connection, which a worker that stays accepts. The connection's
        next request is stamped by its own data (``quiz.arrival``).
        """
        try:
            super().handle_request(listener_name, req, sock, addr)
        finally:
            if isinstance(sock, StampedSocket):
                sock.forget()
        if not self.alive:
            raise StopIteration

    def timeout_ctx(self):
        """The wait for a connection's next request, remembered so that stopping can end it early.

        Once the worker is stopping, a connection waits only a moment (for a
        request its client may be sending already) instead of its keep-alive
        time: a stream that just ended, say, must not hold the process, nor
        have its client send the next request to a worker on its way out.
        """
        return _NextRequest(self._waiting, self.cfg.keepalive if self.alive else STOP_LINGER_SECONDS)

    def handle(self, listener, client, addr) -> None:
        """Serve a connection whose reads keep the kernel's receive time (``quiz.arrival``)."""
        super().handle(listener, client if self.cfg.is_ssl else StampedSocket(client), addr)


    def hand_over(self) -> None:
        """HAND_OVER: stop as on SIGTERM, but with the streams' ends spread (other workers serve)."""
        if not self._stop_begun:
            self._spread = HANDOVER_SECONDS
        self.handle_exit(signal.SIGTERM, None)

    def handle_exit(self, sig, frame) -> None:
        """SIGTERM: stop accepting, as gunicorn does; end the streams and idle connections (in a greenlet)."""
        super().handle_exit(sig, frame)
        if not self._stop_begun:  # the master may say it twice (a hand-over, then its own stop)
            self._stop_begun = True
            gevent.spawn(self._stop)

    def _stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self.wsgi is not None:  # None while the app is still loading: there is nothing to end yet
            stop_serving(self.wsgi, self._spread)
        loop = gevent.get_hub().loop
        for greenlet, timeout in list(self._waiting.items()):
            loop.run_callback(self._end_wait, greenlet, timeout)

    def _end_wait(self, greenlet, timeout) -> None:
        """End a connection's wait for its next request as if its keep-alive time were up: it closes."""
        if self._waiting.get(greenlet) is timeout:  # still waiting, not serving a request meanwhile
            greenlet.throw(timeout)


class StoppingThreadWorker(BootMark, ThreadWorker):
    """Gunicorn's gthread worker, which tells the app when it is asked to stop."""

    def handle_exit(self, sig, frame) -> None:
        """SIGTERM: stop accepting, as gunicorn does, and end the streams (from a thread, not the handler)."""
        stopping_already = not self.alive  # the master says it again until the worker is gone
        super().handle_exit(sig, frame)
        if self.wsgi is not None and not stopping_already:
            threading.Thread(target=stop_serving, args=(self.wsgi,), daemon=True).start()
