"""Production serving: the app under gunicorn, with defaults sized to the machine.

The default worker class is gevent: every request is a greenlet, so an open
live-event stream costs a few kilobytes rather than a thread, and one process
on a small machine holds thousands of them. ``gthread`` remains for hosts
without gevent; there each stream holds a thread, so streams are capped (see
``stream_limit``) and the pages beyond the cap poll.

Stopping (SIGTERM, and the old workers of a reload on SIGHUP) tells the app
first (see ``quiz.workers``), so the graceful timeout waits only for real
requests.
"""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication

from quiz.workers import worker_ready

WORKER_CLASSES = ("gevent", "gthread")
CONNECTIONS_PER_WORKER = 5000  # gevent: open connections (streams included) one process accepts


def default_workers() -> int:
    """Two processes a core: while one waits on SQLite's write lock, another serves."""
    return 2 * (os.cpu_count() or 1)


def options(host: str, port: int, workers: int, threads: int, access_log: str | None,
            worker_class: str = "gevent") -> dict:
    """Gunicorn settings for ``quiz serve``."""
    if worker_class not in WORKER_CLASSES:
        raise ValueError(f"worker class is one of {', '.join(WORKER_CLASSES)}")
    settings = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": WORKERS[worker_class],
        "accesslog": access_log,
        "errorlog": "-",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        # The runtime control socket sits at one path per user, which two servers on a host would share.
        "control_socket_disable": True,
        "post_worker_init": worker_ready,
    }
    if worker_class == "gevent":
        settings["worker_connections"] = CONNECTIONS_PER_WORKER
    else:
        # Threads let a worker serve others while one request waits on the database.
        settings["threads"] = threads
    return settings


def stream_limit(settings: dict) -> int:
    """Open live event streams one process allows: under gevent four in five of its connections, so a
    flood of streams leaves room for pages (and the pages beyond it poll); under gthread half the threads."""
    if "worker_connections" in settings:
        return settings["worker_connections"] * 4 // 5
    return settings.get("threads", 1) // 2


WORKERS = {"gevent": "quiz.workers.StoppingGeventWorker", "gthread": "quiz.workers.StoppingThreadWorker"}


class QuizServer(BaseApplication):
    """Gunicorn running ``create_app()`` once in each worker process."""

    def __init__(self, settings: dict, config: dict | None = None):
        self.settings = settings
        self.app_config = config
        super().__init__()

    def load_config(self) -> None:
        """Hand our settings to gunicorn."""
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):
        """Build the app in the worker, after gevent patched it: each process has its own connections."""
        from quiz import create_app

        app = create_app(self.app_config)
        if app.config.get("LIVE_MAX_STREAMS") is None:
            app.config["LIVE_MAX_STREAMS"] = stream_limit(self.settings)
        return app
