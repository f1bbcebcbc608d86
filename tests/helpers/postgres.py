"""A throwaway PostgreSQL cluster, for the tests and the benchmarks.

Made with the server's own ``initdb`` and ``pg_ctl`` (run as the ``postgres``
user when run as root, since they refuse root), listening on a Unix socket
in a temporary folder only; ``port`` merely names the socket.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def server_bin() -> Path:
    """The folder of the newest installed PostgreSQL server's binaries."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL's server binaries are missing: `make test` installs them"
    return Path(found[-1]).parent


def as_owner(command: list[str]) -> list[str]:
    """``command`` run as the cluster's owner: the ``postgres`` user if we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    """A throwaway PostgreSQL cluster: its database URL, and stopping and starting it (fault tests)."""

    def __init__(self, binaries: Path, folder: Path, port: int, settings: dict[str, str] | None = None):
        self.binaries, self.folder, self.data, self.port = binaries, folder, folder / "data", port
        self.settings = settings or {}
        self.url = f"postgresql+psycopg://postgres@/quiz?host={folder}&port={port}"

    @classmethod
    def create(cls, port: int, settings: dict[str, str] | None = None) -> Cluster:
        """A new cluster in a temporary folder, running, with an empty database ``quiz``."""
        binaries = server_bin()
        folder = Path(tempfile.mkdtemp(prefix="quiz-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        cluster = cls(binaries, folder, port, settings)
        try:
            subprocess.run(as_owner([str(binaries / "initdb"), "-D", str(cluster.data), "-A", "trust",
                                     "-U", "postgres"]), check=True, capture_output=True)
            cluster.start()
            subprocess.run(as_owner([str(binaries / "createdb"), "-h", str(folder), "-p", str(port),
                                     "quiz"]), check=True, capture_output=True)
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    def _ctl(self, *args: str) -> None:
        subprocess.run(as_owner([str(self.binaries / "pg_ctl"), "-D", str(self.data), *args]),
                       check=True, capture_output=True)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        extra = "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._ctl("-w", "-l", str(self.folder / "log"),
                  "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=''{extra}", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server, ending every connection to it."""
        self._ctl("-w", "-m", mode, "stop")

    def destroy(self) -> None:
        """Stop the server at once and delete the cluster's folder."""
        subprocess.run(as_owner([str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                 "stop"]), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
