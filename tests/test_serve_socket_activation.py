"""A cold restart on a socket held open (systemd socket activation) refuses nothing: requests wait."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.servers import QUIZ, held_socket, socket_activated, wait_until_up

pytestmark = pytest.mark.slow  # real servers, stopped and started again


def _serve(listener, folder: Path, env: dict[str, str], log: str) -> subprocess.Popen:
    command, kept = socket_activated([QUIZ, "serve", "--workers", "1", "--access-log", ""], listener)
    return subprocess.Popen(command, env=env, cwd=folder, pass_fds=kept, stdout=(folder / log).open("wb"),
                            stderr=subprocess.STDOUT)


def test_a_restart_on_a_held_socket_refuses_nothing(tmp_path):
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
           "QUIZ_SECRET_KEY": "activation-key"}
    subprocess.run([QUIZ, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    listener = held_socket()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    first = _serve(listener, tmp_path, env, "first.log")
    second = None
    try:
        wait_until_up(url, first, seconds=30)
        failures, answered, stop = [], [], threading.Event()

        def probe() -> None:  # a new connection every 20 ms across the restart: is one ever refused?
            while not stop.is_set():
                began = time.monotonic()
                try:
                    status = httpx.get(f"{url}/healthz", timeout=30).status_code
                    answered.append((status, time.monotonic() - began))
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                time.sleep(0.02)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        time.sleep(0.2)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=15) == 0
        time.sleep(0.5)  # nothing serves meanwhile: the probe's connection waits in the backlog
        second = _serve(listener, tmp_path, env, "second.log")
        wait_until_up(url, second, seconds=30)
        time.sleep(0.2)
        stop.set()
        prober.join(timeout=30)
        assert failures == []
        assert {status for status, _ in answered} == {200}
        assert max(waited for _, waited in answered) > 0.5  # one request waited across the gap, and got in
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
        listener.close()
