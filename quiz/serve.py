"""Production serving: the app under gunicorn, with defaults sized to the machine."""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """Two processes a core: while one waits on SQLite's write lock, another serves."""
    return 2 * (os.cpu_count() or 1)


def options(host: str, port: int, workers: int, threads: int, access_log: str | None) -> dict:
    """Gunicorn settings for ``quiz serve``."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Threads let a worker serve others while one request waits on the database.
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": access_log,
        "errorlog": "-",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
    }


def stream_limit(threads: int) -> int:
    """Open live event streams one process allows: each holds a thread, so half stay for pages."""
    return threads // 2


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
        """Build the app inside the worker, so each process has its own connections."""
        from quiz import create_app

        app = create_app(self.app_config)
        if app.config.get("LIVE_MAX_STREAMS") is None:
            app.config["LIVE_MAX_STREAMS"] = stream_limit(self.settings.get("threads", 1))
        return app
