"""A `quiz serve` stopped while its workers boot stops within moments, not after the graceful timeout.

A worker forked a moment before the stop has the master's signal handlers
until it sets its own, so the master's one SIGTERM reached it unheard and it
served on until the graceful timeout (10 s) killed it: half the times a
server was stopped just after it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.helpers.servers import QUIZ

WORKERS = 2
TRIES = 3


@pytest.mark.slow  # a real server and its booting workers
def test_a_stop_while_the_workers_boot_ends_the_server_at_once(tmp_path):
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
           "QUIZ_SECRET_KEY": "stop-key"}
    subprocess.run([QUIZ, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    for attempt in range(TRIES):
        log = tmp_path / f"server-{attempt}.log"
        command = [QUIZ, "serve", "--port", "0", "--workers", str(WORKERS), "--access-log", ""]
        server = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                  stderr=log.open("wb"))
        try:
            deadline = time.monotonic() + 30
            # Each worker says so right after its fork, before it sets its own handlers.
            while log.read_text().count("Booting worker") < WORKERS:
                assert time.monotonic() < deadline and server.poll() is None, "the workers never booted"
                time.sleep(0.005)
            said = time.monotonic()
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
            assert time.monotonic() - said < 3.0, "a worker booting when the stop came held the server up"
            assert server.returncode == 0
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
