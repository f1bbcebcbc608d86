"""Time the export of a 10,000-question selection to every format.

Run: .venv/bin/python tests/bench/export_bench.py [--questions N] [--runs R]

The selection cycles through the committed questions (every type) with fresh
ids. The baseline, timed in the same process, is serialising the same
questions to JSON with the standard library (``json.dumps`` of their dicts):
the least any export can cost. Each line gives the best of R runs, the output
size, and the ratio to that baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from calibration import calibration_line

from quiz.content.model import Bank
from quiz.content.validate import load_content
from quiz.exchange.exporting import export
from quiz.exchange.registry import FORMATS
from quiz.exchange.selection import ExportSet

PROJECT = Path(__file__).resolve().parents[2]
TARGET_SECONDS = 3.0


def big_selection(count: int) -> ExportSet:
    """``count`` questions cycled from the real banks, split into banks of 1,000."""
    content = load_content(PROJECT / "content")
    source = [q for bank in content.banks for q in bank.questions]
    questions = [replace(source[n % len(source)], id=f"q{n}-{source[n % len(source)].id}")
                 for n in range(count)]
    banks = tuple(
        Bank(f"synthetic-{start // 1000}", f"Synthetic {start // 1000}",
             tuple(questions[start:start + 1000]))
        for start in range(0, count, 1000)
    )
    return ExportSet("Synthetic questions", banks, content.glossaries)


def best_of(runs: int, function) -> tuple[float, object]:
    """The shortest wall-clock time of ``runs`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    """Export to every format, print a line each; exit 1 if any misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(calibration_line(), flush=True)
    selection = big_selection(args.questions)
    baseline, _ = best_of(args.runs, lambda: json.dumps(
        [q.to_dict() for _, q in selection.questions()]).encode())
    print(f"questions: {selection.count()}, runs: {args.runs}, "
          f"baseline json.dumps: {baseline:.3f} s")
    missed = []
    for name, fmt in FORMATS.items():
        seconds, (data, report) = best_of(args.runs, lambda fmt=fmt: export(fmt, selection))
        verdict = "ok" if seconds < TARGET_SECONDS else "OVER TARGET"
        if seconds >= TARGET_SECONDS:
            missed.append(name)
        print(f"{name:<11} {seconds:7.3f} s  x{seconds / baseline:6.1f}  "
              f"{len(data) / 1e6:6.1f} MB  {report.exported:>6} exported  {verdict}")
    print(f"target: every format under {TARGET_SECONDS:.0f} s -> "
          f"{'met' if not missed else 'NOT met: ' + ', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
