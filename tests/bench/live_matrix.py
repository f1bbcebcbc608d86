"""The live benchmark's target configurations in one go, as a Markdown table for the README.

Run: .venv/bin/python tests/bench/live_matrix.py [--tiny] [--only N ...]   (or: make bench-live)

Each configuration is a run of ``live_load.py`` in its own process, one
after the other (they would otherwise share the cores); its ``summary:`` line
gives the row. ``--tiny`` runs each with a few players and one short
question, to check the matrix works rather than to measure. The calibration
line comes first, and the last line of a table row says which commit ran.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

from calibration import calibration_line

HERE = Path(__file__).resolve().parent
CONFIGURATIONS = [
    ["--players", "2000"],
    ["--players", "2000", "--noise", "1"],
    ["--sessions", "50", "--players", "40"],
    ["--database", "postgresql", "--servers", "1", "--players", "2000"],
    ["--database", "postgresql", "--servers", "2", "--players", "2000"],
]
TINY = {"--players": "3", "--sessions": "2"}  # the sizes a --tiny run uses instead
TINY_EXTRA = ["--questions", "1", "--question-seconds", "5", "--pause", "0.5"]
# Each run is capped (setup included) well above the two minutes one takes on a quiet machine, and
# the matrix waits a minute beyond it: five runs always end within 20 minutes.
RUN_SECONDS = 210
HEADER = ("| command | answer p50 / p99 | last player has each question | answers refused as late "
          "| recorded exactly once | server CPU | CPU per answer / bare insert | other processes' CPU |")


def tiny(configuration: list[str]) -> list[str]:
    """The configuration at a few players and one short question."""
    pairs = [[name, TINY.get(name, value)] for name, value in zip(configuration[::2], configuration[1::2],
                                                                   strict=True)]
    return [part for pair in pairs for part in pair] + TINY_EXTRA


def run(configuration: list[str]) -> tuple[dict | None, str]:
    """Run live_load.py with the configuration: its summary (None if it failed) and its whole output."""
    command = [sys.executable, str(HERE / "live_load.py"), *configuration, "--seconds", str(RUN_SECONDS)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_SECONDS + 60, check=False)
    except subprocess.TimeoutExpired as exc:
        return None, f"{exc.stdout or ''}\ntimed out after {RUN_SECONDS + 60} s"
    found = [line for line in done.stdout.splitlines() if line.startswith("summary: ")]
    output = done.stdout + done.stderr
    if done.returncode != 0 or not found:
        return None, output + f"\nexit status {done.returncode}"
    return json.loads(found[-1].removeprefix("summary: ")), output


def _ms(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def row(configuration: list[str], facts: dict | None) -> str:
    """The table's row for one configuration."""
    command = f"`live_load.py {' '.join(configuration)}`"
    if facts is None:
        return f"| {command} | failed (see its output above) | | | | | | |"
    if facts["joined"] < facts["players"]:
        command += f" ({facts['joined']:,} of {facts['players']:,} joined within the cap)"
    seen = " / ".join("never" if s is None else f"{s:.2f}" for s in facts["last_seen_s"]) + " s"
    once = "yes" if facts["exactly_once"] else "no"
    if facts["recorded"] != facts["sent"]:
        once += f" ({facts['recorded']:,} of {facts['sent']:,} sent)"
    cpu = " + ".join(f"{100 * c / facts['wall_s']:.0f} %" for c in facts["server_cpu_s"])
    others = facts.get("other_cpu_s")
    other = "-" if others is None else f"{100 * others / facts['wall_s']:.0f} %"
    ratio = (f"{facts['answer_cpu_ms']:.1f} / {facts['bare_cpu_ms']:.1f} ms = {facts['ratio']:.2f}"
             if math.isfinite(facts["ratio"]) else "-")
    return (f"| {command} | {_ms(facts['answer_p50_ms'])} / {_ms(facts['answer_p99_ms'])} | {seen} "
            f"| {facts['late']:,} of {facts['sent']:,} | {once} "
            f"| {cpu} of one core over {facts['wall_s']:.0f} s | {ratio} | {other} |")


def commit() -> str:
    """The commit this ran, with a mark if the worktree had changes."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    dirty = " (with uncommitted changes)" if git("status", "--porcelain") else ""
    return git("rev-parse", "--short", "HEAD") + dirty


def main() -> int:
    """Run every configuration, print each run's output, then the table; exit 1 if a run failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a few players and one question each")
    parser.add_argument("--only", type=int, nargs="+", help="run only these rows (numbered from 1)")
    args = parser.parse_args()
    chosen = [CONFIGURATIONS[n - 1] for n in args.only] if args.only else CONFIGURATIONS
    line = calibration_line()
    print(line, flush=True)
    began, results = time.monotonic(), []
    for configuration in chosen:
        actual = tiny(configuration) if args.tiny else configuration
        print(f"\n## live_load.py {' '.join(actual)}", flush=True)
        facts, output = run(actual)
        print(output, flush=True)
        results.append((actual, facts))
    watchers = [(f["sessions"], f["watcher_lobby"]) for _, f in results if f and f.get("watcher_lobby")]
    print(f"\n{line}; commit {commit()}; matrix {time.monotonic() - began:.0f} s\n")
    print(HEADER)
    print("| --- " * (HEADER.count("|") - 1) + "|")
    for configuration, facts in results:
        print(row(configuration, facts))
    if watchers:
        print("\nwatcher poll, in the lobby: " + "; ".join(
            f"{running} running session(s) {cpu:.2f} ms CPU ({sessions} room run)"
            for sessions, (running, cpu, _) in watchers))
    return 0 if all(facts is not None for _, facts in results) else 1


if __name__ == "__main__":
    sys.exit(main())
