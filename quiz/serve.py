"""Production serving: the app under gunicorn, with defaults sized to the machine.

The default worker class is gevent: every request is a greenlet, so an open
live-event stream costs a few kilobytes rather than a thread, and one process
on a small machine holds thousands of them. ``gthread`` remains for hosts
without gevent; there each stream holds a thread, so streams are capped (see
``stream_limit``) and the pages beyond the cap poll.

Stopping (SIGTERM, and the old workers of a reload on SIGHUP) tells the app
first (see ``quiz.workers``), so the graceful timeout waits only for real
requests; a reload stops the old workers only once the new ones serve, and
the master records when the server served (``quiz.arbiter``).
"""

from __future__ import annotations

import os
import sys

from flask import Flask
from gunicorn.app.base import BaseApplication

from quiz import network
from quiz.arbiter import Record, RollingArbiter
from quiz.workers import worker_ready

WORKER_CLASSES = ("gevent", "gthread")
CONNECTIONS_PER_WORKER = 5000  # gevent: open connections (streams included) one process accepts


def default_workers() -> int:
    """One process a core: none of them ever waits with its cores idle, so more would only share them.

    A gevent worker waits for SQLite's lock, a password hash or the group
    commit without stopping its loop (``quiz.database``, ``quiz.security.passwords``,
    ``quiz.live.writer``). More processes than cores measured worse on every
    live figure (README, "Live sessions under load"): each builds its own snapshots, polls
    for its own watcher and takes its share of the cores in turn.
    """
    return os.cpu_count() or 1


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


def announcement(host: str, port: int, public_url: str | None, machine: list[str]) -> list[str]:
    """What ``quiz serve`` prints first: where phones join and where to open the presenter.

    ``machine`` is this machine's network addresses (``quiz.network``), the
    one the QR code uses first.
    """
    everywhere = host in network.WILDCARDS
    lines = [f"Serving the quiz on {host or '0.0.0.0'}:{port}."]  # noqa: S104
    if public_url:
        lines.append(f"Phones join at {public_url}/join (QUIZ_PUBLIC_URL); the QR code says the same.")
    if everywhere and machine:
        lines.append("Phones on the same network as this machine join at:" if not public_url
                     else "This machine's own addresses, also served:")
        lines += [f"  http://{address}:{port}/join" for address in machine]
    elif everywhere:
        lines.append("This machine has no network address: phones cannot reach it. "
                     "Join the room's network, then start again.")
    elif network.is_loopback(host):
        lines.append(f"Listening on {host} only: phones cannot reach it. For a class, serve every "
                     "interface: quiz serve --host 0.0.0.0 (make serve).")
    else:
        lines.append(f"Phones join at http://{host}:{port}/join")
    presenter = "127.0.0.1" if everywhere or network.is_loopback(host) else host
    lines.append(f"Open the presenter on this machine at http://{presenter}:{port}/live "
                 "(an instructor's account; see the README's \"Run a class\").")
    return lines


def stream_limit(settings: dict) -> int:
    """Open live event streams one process allows: under gevent four in five of its connections, so a
    flood of streams leaves room for pages (and the pages beyond it poll); under gthread half the threads."""
    if "worker_connections" in settings:
        return settings["worker_connections"] * 4 // 5
    return settings.get("threads", 1) // 2


WORKERS = {"gevent": "quiz.workers.StoppingGeventWorker", "gthread": "quiz.workers.StoppingThreadWorker"}


class QuizServer(BaseApplication):
    """Gunicorn running ``create_app()`` once in each worker process."""

    def __init__(self, settings: dict, config: dict | None = None, record: Flask | None = None):
        self.settings = settings
        self.app_config = config
        self.record_app = record  # the command's own app: the master records through it (quiz.arbiter)
        super().__init__()

    def run(self) -> None:
        """Run gunicorn's master, with rolling reloads and the record of serving (``quiz.arbiter``)."""
        try:
            RollingArbiter(self, Record(self.record_app, None)).run()
        except RuntimeError as exc:  # as gunicorn reports a master that cannot start
            print(f"\nError: {exc}\n", file=sys.stderr)
            sys.exit(1)

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
