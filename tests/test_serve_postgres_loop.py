"""A worker waiting on PostgreSQL keeps serving everything else: its loop never waits on the database.

Psycopg picks how it waits for the server when first imported, and the
master imports it before the workers patch with gevent: each query then
blocked the worker's whole loop, so one request held by a lock held every
stream and request of that worker with it. Real: a `quiz serve` on the
test cluster, a table locked from another connection, a request waiting
on it, and `/healthz` (no database) asked meanwhile.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.helpers.lock_waits import until_someone_waits_on_a_lock
from tests.helpers.servers import QUIZ, up_at

pytestmark = pytest.mark.slow  # a real server, and a lock held for seconds

HELD_SECONDS = 3.0


def _serve(tmp_path: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    """A one-worker gevent server on the database, on a port of the kernel's choosing: (process, url)."""
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": database_url, "QUIZ_SECRET_KEY": "loop-key"}
    log = tmp_path / "server.log"
    server = subprocess.Popen([QUIZ, "serve", "--port", "0", "--workers", "1", "--access-log", ""], env=env,
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    try:
        url = up_at(log, server)
    except RuntimeError:
        server.kill()
        raise
    return server, url


def test_a_request_waiting_on_a_lock_does_not_hold_the_workers_other_requests(pg_app, postgres_url, tmp_path):
    server, url = _serve(tmp_path, postgres_url)
    locker = create_engine(postgres_url).connect()
    try:
        locker.execute(text("LOCK TABLE readiness_checks IN ACCESS EXCLUSIVE MODE"))  # held till rollback
        locked = time.monotonic()
        waited: dict[str, float] = {}

        def ready() -> None:
            began = time.monotonic()
            httpx.get(f"{url}/readyz", timeout=30)
            waited["readyz"] = time.monotonic() - began

        blocked = threading.Thread(target=ready)
        blocked.start()
        until_someone_waits_on_a_lock(pg_app)  # the readiness write now waits inside the worker
        began = time.monotonic()
        try:
            assert httpx.get(f"{url}/healthz", timeout=HELD_SECONDS - 1).json() == {"status": "ok"}
            answered = time.monotonic() - began
        except httpx.TimeoutException:  # held behind the lock as long as it lasts
            answered = float("inf")
        time.sleep(max(0.0, locked + HELD_SECONDS - time.monotonic()))  # the lock's whole span, on purpose
        locker.rollback()
        blocked.join(timeout=30)
        assert waited["readyz"] >= HELD_SECONDS - 0.6  # it did wait for the lock the whole time
        assert answered < 0.5, f"/healthz waited {answered:.2f} s behind a query waiting on a lock"
    finally:
        locker.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
