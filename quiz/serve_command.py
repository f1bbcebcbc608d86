"""``quiz serve``: the app served for real, under gunicorn (see ``quiz.serve``)."""

from __future__ import annotations

import click
from flask import current_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, help="Processes (default: one per core).")
@click.option("--worker-class", type=click.Choice(["gevent", "gthread"]), default="gevent", show_default=True,
              help="gevent holds thousands of live-event streams a process; gthread uses a thread each.")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per process (gthread).")
@click.option("--access-log", default="-", show_default=True,
              help="File for the access log, '-' for standard output, '' for none.")
def serve_command(host: str, port: int, workers: int | None, worker_class: str, threads: int,
                  access_log: str) -> None:
    """Serve the app for real, under gunicorn; first say where phones join and the presenter opens."""
    from quiz.serve import QuizServer, announcement, default_workers, options

    settings = options(host, port, workers or default_workers(), threads, access_log or None, worker_class)
    machine = current_app.config["MACHINE_ADDRESSES"]
    for line in announcement(host, port, current_app.config["PUBLIC_URL"], machine):
        click.echo(line)
    # The workers trust the Host names for this address (quiz/hosts.py), the same as printed here.
    QuizServer(settings, {"BIND_HOST": host, "MACHINE_ADDRESSES": machine},
               record=current_app._get_current_object()).run()  # type: ignore[attr-defined]
