"""Time `quiz content validate` on a synthetic bank of 10,000 questions.

Run: .venv/bin/python tests/bench/validate_bench.py [--questions N] [--runs R]

The bank cycles through the committed questions (every type), each with a
fresh id, so it is as valid and as varied as the real content. The baseline,
timed in the same process on the same file, is PyYAML's own C-accelerated
safe load, which checks nothing; the ratio says what our checks cost on top.
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

from quiz.content.model import Bank
from quiz.content.validate import load_content, validate_paths
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


def timed(function, runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    """Build the bank, time both, print the figures; exit 1 if validation failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
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
        base = timed(lambda: yaml.load(text, Loader=loader), args.runs)
        size = bank_file.stat().st_size / 1e6
    print(f"questions: {args.questions}, file: {size:.1f} MB, runs: {args.runs}")
    print(f"validate (ours):        best {min(ours):.3f} s, median {statistics.median(ours):.3f} s")
    print(f"PyYAML safe load only:  best {min(base):.3f} s, median {statistics.median(base):.3f} s")
    print(f"ratio ours/baseline (best): {min(ours) / min(base):.2f}")
    print(f"target: under 1 s -> {'met' if min(ours) < 1.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
