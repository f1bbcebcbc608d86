"""Time `quiz content validate` on a synthetic bank of 10,000 questions.

Run: .venv/bin/python tests/bench/validate_bench.py [--questions N] [--runs R]

The bank cycles through the committed questions (every type), each with a
fresh id, so it is as valid and as varied as the real content. The baseline,
timed in the same process on the same file, is PyYAML's own C-accelerated
safe load, which checks nothing; the ratio says what our checks cost on top.
Validation is timed alone (what sync and imports run) and with the lint that
`quiz content validate` adds; cycled copies make every question after the
first round a duplicate, so the lint reports (and locates) about 10,000 of them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from calibration import calibration_line

from quiz.content.model import Bank
from quiz.content.validate import check_paths, load_content, validate_paths
from quiz.content.writer import bank_text

PROJECT = Path(__file__).resolve().parents[2]


def build_root(folder: Path, count: int) -> Path:
    """A content root with the real glossaries and one bank of ``count`` questions."""
    content = load_content(PROJECT / "content")
    source = [q for bank in content.banks for q in bank.questions]
    questions = []
    for number in range(count):
        question = source[number % len(source)]
        questions.append(type(question)(**{**question.__dict__, "id": f"q{number}-{question.id}"}))
    shutil.copytree(PROJECT / "content" / "definitions", folder / "definitions")
    shutil.copytree(PROJECT / "content" / "source", folder / "source")
    (folder / "banks").mkdir()
    bank = Bank("synthetic", "Synthetic bank", tuple(questions))
    (folder / "banks" / "synthetic.yaml").write_text(bank_text(bank), encoding="utf-8")
    return folder


def timed(function, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``runs`` calls (CPU time is what other work on a
    shared machine disturbs least)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def _line(label: str, times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    return (f"{label:<24}best {min(wall):.3f} s, median {statistics.median(wall):.3f} s; "
            f"CPU best {min(cpu):.3f} s")


def main() -> int:
    """Build the bank, time both, print the figures; exit 1 if validation failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(calibration_line(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = build_root(Path(tmp), args.questions)
        bank_file = root / "banks" / "synthetic.yaml"
        content, errors = validate_paths([root])
        if errors or len(content.banks[0].questions) != args.questions:
            print(f"validation failed: {errors[:5]}", file=sys.stderr)
            return 1
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        text = bank_file.read_text(encoding="utf-8")
        ours = timed(lambda: validate_paths([root]), args.runs)
        linted = timed(lambda: check_paths([root]), args.runs)
        warnings = len(check_paths([root]).warnings)
        base = timed(lambda: yaml.load(text, Loader=loader), args.runs)
        size = bank_file.stat().st_size / 1e6
    print(f"questions: {args.questions}, file: {size:.1f} MB, runs: {args.runs}")
    print(_line("validate (ours):", ours))
    print(_line("validate + lint:", linted) + f" ({warnings} warnings)")
    print(_line("PyYAML safe load only:", base))
    print(f"ratio ours/baseline (best): wall {min(ours[0]) / min(base[0]):.2f}, "
          f"CPU {min(ours[1]) / min(base[1]):.2f}; validate + lint, CPU "
          f"{min(linted[1]) / min(base[1]):.2f}")
    print(f"target: validation under 1 s -> {'met' if min(ours[0]) < 1.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
