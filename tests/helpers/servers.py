"""Real servers for tests: the address bound to port 0, waiting until it answers, a socket kept open."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

QUIZ = str(Path(sys.executable).parent / "quiz")
PASSWORD = "two-servers-password"  # the instructor's, in the databases the served tests make

# gunicorn (`quiz serve`) and werkzeug (`quiz run`) each say where they listen.
LISTENING = re.compile(r"(?:Listening at:|Running on) (http://127\.0\.0\.1:\d+)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    Another process may take it before the server binds it, so only a test
    that must know the port before the server exists (to start it again on
    the same port, or to name it in the server's own settings) asks for one;
    every other server binds port 0 and its address is read with bound_url.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    """Return once ``url``/readyz answers 200; raise if the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")


def bound_url(log: Path, process: subprocess.Popen, seconds: float = 30) -> str:
    """Where a server started with ``--port 0`` listens, from its log; raise if it exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        found = LISTENING.search(log.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.05)
    raise RuntimeError(f"the server did not listen: {log.read_text(errors='replace')[-2000:]}")


def held_socket(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port``, or any free one) kept open while servers come and go on it.

    What systemd's socket activation does for a socket unit: while no server
    runs, connections wait in its backlog instead of being refused.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(2048)
    return listener


# fd 3 and LISTEN_PID/LISTEN_FDS, as systemd hands a socket over; gunicorn takes it from there.
# bash, not sh: dash takes single-digit descriptors only.
_HAND_OVER = ('fd=$1; shift; exec 3<&"$fd"; [ "$fd" = 3 ] || exec {fd}<&-; '
              'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"')


def socket_activated(command: list[str], listener: socket.socket) -> tuple[list[str], tuple[int, ...]]:
    """``command`` made to serve on ``listener`` as under socket activation, and the fds Popen must pass."""
    fd = listener.fileno()
    return ["bash", "-c", _HAND_OVER, "bash", str(fd), *command], (fd,)


def up_at(log: Path, process: subprocess.Popen, seconds: float = 30) -> str:
    """The address of a server started with ``--port 0``, once it answers there."""
    url = bound_url(log, process, seconds)
    wait_until_up(url, process, seconds)
    return url


def wait_for(condition: Callable[[], object], seconds: float = 10) -> None:
    """Return once ``condition()`` is true; fail the test if it is still false after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
