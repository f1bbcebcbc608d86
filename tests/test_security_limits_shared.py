"""Rate limits shared between servers through Redis: two ``quiz serve`` processes count as one.

Each test starts a throwaway ``redis-server`` on a Unix socket in a temporary
folder (no TCP port at all), and real servers on free ports of 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import httpx
import pytest

from tests.helpers.forms import TOKEN
from tests.helpers.servers import QUIZ, up_at

pytestmark = pytest.mark.slow  # real servers and a redis-server

PASSWORD = "shared-limits-password"


@pytest.fixture
def redis_socket(tmp_path):
    """A redis-server of the test's own on a Unix socket; yields the socket's path."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: `make test` installs Debian's package"
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(socket), "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not socket.exists():
        assert process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    try:
        yield socket
    finally:
        process.terminate()
        process.wait(timeout=10)


def servers(tmp_path, store: str, count: int = 2):
    """``count`` one-worker servers on one database with this rate-limit store; their processes, URLs."""
    env = {**os.environ, "QUIZ_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
           "QUIZ_SECRET_KEY": "shared-limits-test", "QUIZ_RATELIMIT_STORAGE_URI": store,
           "QUIZ_RATELIMIT_LOGIN_FAILURES": "3 per 15 minutes"}
    for command in (["db", "upgrade"], ["user", "create", "ada", "--password", PASSWORD]):
        subprocess.run([QUIZ, *command], env=env, cwd=tmp_path, check=True, capture_output=True)
    processes, logs = [], [tmp_path / f"serve-{number}.log" for number in range(count)]
    for log in logs:
        with log.open("wb") as said:
            processes.append(subprocess.Popen(
                [QUIZ, "serve", "--port", "0", "--workers", "1", "--access-log", ""],
                env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=said))
    return processes, [up_at(log, process) for log, process in zip(logs, processes, strict=True)]


def stop(processes) -> None:
    """Stop the servers (what they said stays in serve-N.log of the test's folder)."""
    for process in processes:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def wrong_logins(urls: list[str], count: int) -> list[int]:
    """``count`` wrong passwords for ada, sent to the servers in turn; their statuses."""
    statuses = []
    for number in range(count):
        with httpx.Client(base_url=urls[number % len(urls)], timeout=30) as client:
            token = TOKEN.search(client.get("/login").text).group(1)
            statuses.append(client.post("/login", data={"csrf_token": token, "name": "ada",
                                                        "password": "not the password"}).status_code)
    return statuses


def test_two_servers_share_one_count_through_redis(tmp_path, redis_socket):
    processes, urls = servers(tmp_path, f"redis+unix://{redis_socket}")
    try:
        statuses = wrong_logins(urls, 6)
        assert statuses == [200] * 3 + [429] * 3  # three wrong passwords in all, whichever server took them
        with httpx.Client(base_url=urls[0], timeout=30) as client:
            token = TOKEN.search(client.get("/login").text).group(1)
            refused = client.post("/login", data={"csrf_token": token, "name": "ada", "password": PASSWORD})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    finally:
        stop(processes)


def test_in_memory_each_server_counts_alone(tmp_path):
    """Why a shared store matters: in memory, two servers let twice the wrong passwords through."""
    processes, urls = servers(tmp_path, "memory://")
    try:
        assert wrong_logins(urls, 8) == [200] * 6 + [429] * 2
    finally:
        stop(processes)


def test_a_store_that_goes_away_is_no_500(tmp_path, redis_socket):
    processes, urls = servers(tmp_path, f"redis+unix://{redis_socket}", count=1)
    try:
        assert wrong_logins(urls, 2) == [200, 200]  # counted in Redis
        subprocess.run(["redis-cli", "-s", str(redis_socket), "shutdown", "nosave"], capture_output=True,
                       check=False)
        for _ in range(50):
            if not redis_socket.exists():
                break
            time.sleep(0.05)
        # The limits go on per process, in memory (a fresh count), until the store is back.
        assert wrong_logins(urls, 5) == [200] * 3 + [429] * 2
    finally:
        stop(processes)
