"""How long `quiz content sync` takes, and how long it keeps other writers out of SQLite.

Run: .venv/bin/python tests/bench/sync_bench.py [--questions N] [--probe-ms MS]

Content: the real glossary and banks of 1,000 questions cycled from the
committed ones (every type, fresh ids). Three syncs run on one SQLite file:
the first (every question added), one after every prompt changed (every
question updated) and one with nothing changed. Meanwhile a probe process
tries a one-row write every few milliseconds without waiting for the lock
(busy timeout 0), so each refusal means the sync held the write lock at that
moment; it reports the longest run of refusals (the longest time any other
writer would have waited) and its slowest write. The sync's own write
transaction is timed too, from its ``BEGIN IMMEDIATE`` to the end of the
sync. The baseline, in the same run, is one transaction inserting the same
number of question rows with ``executemany``: the least time any sync of
that many questions must hold the lock; "x base" is the write transaction
over it. Wall time includes reading and validating the content files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from calibration import calibration_line  # noqa: E402
from sqlalchemy import event  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.catalog import sync as sync_module  # noqa: E402
from quiz.content.model import Bank  # noqa: E402
from quiz.content.validate import load_content  # noqa: E402
from quiz.content.writer import bank_text  # noqa: E402
from quiz.extensions import db  # noqa: E402

PROBE = r"""
import json, sqlite3, sys, time
path, interval = sys.argv[1], float(sys.argv[2]) / 1000
conn = sqlite3.connect(path, timeout=0, isolation_level=None)
conn.execute("PRAGMA busy_timeout = 0")
print("ready", flush=True)
busy_since, longest, refusals, writes, slowest = None, 0.0, 0, 0, 0.0
stop = time.monotonic() + 600
while time.monotonic() < stop:
    started = time.monotonic()
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_probe (at) VALUES (?)", (started,))
        conn.execute("COMMIT")
        writes += 1
        slowest = max(slowest, time.monotonic() - started)
        if busy_since is not None:
            longest, busy_since = max(longest, started - busy_since), None
    except sqlite3.OperationalError:
        refusals += 1
        busy_since = started if busy_since is None else busy_since
    if sys.stdin in __import__("select").select([sys.stdin], [], [], interval)[0]:
        break
if busy_since is not None:
    longest = max(longest, time.monotonic() - busy_since)
print(json.dumps({"longest": longest, "refusals": refusals, "writes": writes, "slowest": slowest}))
"""


def write_content(root: Path, count: int, prompt_suffix: str = "") -> None:
    """The real glossaries and ``count`` questions cycled from the committed ones, 1,000 a bank."""
    content = load_content(PROJECT / "content")
    source = [q for bank in content.banks for q in bank.questions]
    if (root / "banks").exists():
        shutil.rmtree(root / "banks")
    (root / "banks").mkdir(parents=True)
    if not (root / "definitions").exists():
        shutil.copytree(PROJECT / "content" / "definitions", root / "definitions")
    questions = [replace(source[n % len(source)], id=f"q{n}-{source[n % len(source)].id}",
                         prompt=source[n % len(source)].prompt + prompt_suffix)
                 for n in range(count)]
    for start in range(0, count, 1000):
        bank = Bank(f"synthetic-{start // 1000}", f"Synthetic {start // 1000}",
                    tuple(questions[start:start + 1000]))
        (root / "banks" / f"{bank.id}.yaml").write_text(bank_text(bank), encoding="utf-8")


def probed(database: Path, interval_ms: float, work) -> tuple[float, dict]:
    """Run ``work()`` while the probe process writes; its wall time and the probe's figures."""
    probe = subprocess.Popen([sys.executable, "-c", PROBE, str(database), str(interval_ms)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert probe.stdout.readline().strip() == "ready"
    time.sleep(0.05)
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    time.sleep(0.05)
    out, _ = probe.communicate("stop\n", timeout=30)
    return seconds, json.loads(out)


def baseline(database: Path, count: int) -> float:
    """Seconds to insert ``count`` question-shaped rows in one transaction with executemany."""
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, bank_id TEXT, key TEXT, type TEXT, "
                 "prompt TEXT, data TEXT, difficulty INTEGER, position INTEGER, retired INTEGER, "
                 "updated_at TEXT, UNIQUE (bank_id, key))")
    content = load_content(PROJECT / "content")
    source = [q for bank in content.banks for q in bank.questions]
    rows = [(f"synthetic-{n // 1000}", f"q{n}", source[n % len(source)].type, source[n % len(source)].prompt,
             json.dumps(source[n % len(source)].to_dict()), 1, n, 0, "2025-01-01") for n in range(count)]
    started = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO bench_rows (bank_id, key, type, prompt, data, difficulty, position, "
                         "retired, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    conn.execute("DROP TABLE bench_rows")
    conn.close()
    return seconds


def main() -> int:
    """Build the content, run the three syncs under the probe, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--probe-ms", type=float, default=5.0, help="pause between the probe's writes")
    args = parser.parse_args()
    print(calibration_line())
    with tempfile.TemporaryDirectory() as tmp:
        root, database = Path(tmp) / "content", Path(tmp) / "quiz.sqlite3"
        write_content(root, args.questions)
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                          "CONTENT_DIR": str(root)}, instance_path=Path(tmp) / "instance")
        with app.app_context():
            db.create_all()
            db.session.execute(db.text("CREATE TABLE bench_probe (at REAL)"))
            db.session.commit()
        runner = app.test_cli_runner()
        window: dict[str, float] = {}  # when the write transaction began, and when the sync returned
        with app.app_context():
            engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def began(_conn, _cursor, statement, *_args):
            if statement.startswith("BEGIN IMMEDIATE"):
                window["begin"] = time.perf_counter()

        real_sync = sync_module.sync_content

        def timed_sync(*args, **kwargs):
            try:
                return real_sync(*args, **kwargs)
            finally:
                window["end"] = time.perf_counter()

        sync_module.sync_content = timed_sync

        def sync() -> None:
            window.clear()
            result = runner.invoke(args=["content", "sync"])
            assert result.exit_code == 0, result.output
            print(f"  {result.output.strip().splitlines()[-1]}")

        base = baseline(database, args.questions)
        print(f"questions: {args.questions} in {len(list((root / 'banks').glob('*.yaml')))} banks; "
              f"baseline executemany insert of as many rows: {base:.3f} s")
        print("sync            wall s   write transaction   x base   longest probe wait   "
              "probe refused / done   slowest probe write")
        for label, prepare in (("first (adds)", None),
                               ("all updated", lambda: write_content(root, args.questions, " (edited)")),
                               ("unchanged", None)):
            if prepare:
                prepare()
            seconds, figures = probed(database, args.probe_ms, sync)
            transaction = window["end"] - window["begin"] if "begin" in window else float("nan")
            print(f"{label:<14} {seconds:7.2f}   {transaction:15.3f} s   {transaction / base:6.1f}   "
                  f"{figures['longest']:16.3f} s   {figures['refusals']:>7} / {figures['writes']:<7}"
                  f"   {figures['slowest'] * 1000:12.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
