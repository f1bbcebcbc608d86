"""Gunicorn's workers, made to stop without holding anyone up.

On SIGTERM (a stop, or the old workers of a reload on SIGHUP) a worker tells
the app first: ``/readyz`` turns unready for a load balancer, and every live
event stream ends at once with an event to reconnect, which the browser does
after a short random pause, to a worker that is not stopping. The gevent
worker also closes the connections that sit idle between two requests (as
gunicorn's gthread worker does), where they would otherwise hold the process
for their whole keep-alive time. So the graceful timeout waits only for the
requests in progress, and the process is gone within a second or two.
"""

from __future__ import annotations

import threading

import gevent
from flask import Flask
from gunicorn.workers.ggevent import GeventWorker
from gunicorn.workers.gthread import ThreadWorker


def worker_ready(worker) -> None:
    """Log that a worker has loaded the app and serves: after a reload or an upgrade, the old may go."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def stop_serving(app: Flask) -> None:
    """Tell the app its process is stopping: /readyz turns unready, and every event stream ends now."""
    from quiz import health
    from quiz.live import watcher

    health.stopping(app)
    watcher.drain_streams(app)


STOP_LINGER_SECONDS = 0.5  # as gunicorn's gthread worker lingers on kept-alive connections when stopping


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


class StoppingGeventWorker(GeventWorker):
    """Gunicorn's gevent worker, which tells the app when it is asked to stop and drops idle connections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._waiting: dict = {}  # greenlet -> the keep-alive timeout it waits under

    def timeout_ctx(self):
        """The wait for a connection's next request, remembered so that stopping can end it early.

        Once the worker is stopping, a connection waits only a moment (for a
        request its client may be sending already) instead of its keep-alive
        time: a stream that just ended, say, must not hold the process, nor
        have its client send the next request to a worker on its way out.
        """
        return _NextRequest(self._waiting, self.cfg.keepalive if self.alive else STOP_LINGER_SECONDS)

    def handle_exit(self, sig, frame) -> None:
        """SIGTERM: stop accepting, as gunicorn does; end the streams and idle connections (in a greenlet)."""
        super().handle_exit(sig, frame)
        gevent.spawn(self._stop)

    def _stop(self) -> None:
        if self.wsgi is not None:  # None while the app is still loading: there is nothing to end yet
            stop_serving(self.wsgi)
        loop = gevent.get_hub().loop
        for greenlet, timeout in list(self._waiting.items()):
            loop.run_callback(self._end_wait, greenlet, timeout)

    def _end_wait(self, greenlet, timeout) -> None:
        """End a connection's wait for its next request as if its keep-alive time were up: it closes."""
        if self._waiting.get(greenlet) is timeout:  # still waiting, not serving a request meanwhile
            greenlet.throw(timeout)


class StoppingThreadWorker(ThreadWorker):
    """Gunicorn's gthread worker, which tells the app when it is asked to stop."""

    def handle_exit(self, sig, frame) -> None:
        """SIGTERM: stop accepting, as gunicorn does, and end the streams (from a thread, not the handler)."""
        super().handle_exit(sig, frame)
        if self.wsgi is not None:
            threading.Thread(target=stop_serving, args=(self.wsgi,), daemon=True).start()
