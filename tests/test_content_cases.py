"""Malformed content, case by case: `quiz content validate` names every fault exactly.

Each folder under tests/content_cases/ is a small content root: banks/ holds the
broken bank (a glossary case has its broken glossary in definitions/ instead),
and expected.txt lists the exact lines the validator must print, one per error;
lines starting with '#' are comments. The shared glossary content_cases/base.yaml
is copied in as definitions/base.yaml, so the banks have concepts to name.

Every case runs in a copy of its folder, with that copy as the working folder
and `.` as the path to validate: the validator writes each file relative to the
working folder, so expected.txt names files as `banks/<id>.yaml`.

A case named lint-* holds valid content that a lint rule warns of: it prints the
same lines, passes as plain validation and fails under --strict.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.content.loader import MAX_FILE_BYTES

CASES = Path(__file__).parent / "content_cases"
CASE_NAMES = sorted(path.name for path in CASES.iterdir() if path.is_dir())
ERROR_CASES = [case for case in CASE_NAMES if not case.startswith("lint-")]
LINT_CASES = [case for case in CASE_NAMES if case.startswith("lint-")]
CLEAN_SUMMARY = "ok: 1 glossary(ies), 2 concepts, 1 bank(s), 7 questions"


def content_root(target: Path, case: str | None = None) -> Path:
    """A content root at ``target``: the case's files (if any) plus the shared glossary."""
    if case is None:
        (target / "banks").mkdir(parents=True)
    else:
        shutil.copytree(CASES / case, target, ignore=shutil.ignore_patterns("expected.txt"))
    glossary = target / "definitions" / "base.yaml"
    if not glossary.exists():
        glossary.parent.mkdir(exist_ok=True)
        shutil.copy(CASES / "base.yaml", glossary)
    if not (target / "source.md").exists():
        shutil.copy(CASES / "source.md", target / "source.md")
    return target


def expected_lines(case: str) -> list[str]:
    """The error lines a case expects, without its comments and blank lines."""
    text = (CASES / case / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def validate_here(runner, root: Path, monkeypatch, *options: str):
    """Run `quiz content validate . [options]` through Flask's CLI runner, from inside ``root``."""
    monkeypatch.chdir(root)
    return runner.invoke(args=["content", "validate", ".", *options])


LINT_RULES = ["duplicate", "near-duplicate", "short-ordering", "article-before-blank",
              "answer-in-prompt", "redundant-alternative", "keyed-position", "long-key",
              "true-false-balance"]


def test_there_are_enough_cases():
    assert len(ERROR_CASES) >= 30
    assert all((CASES / case / "expected.txt").is_file() for case in CASE_NAMES)


def test_every_lint_rule_has_a_case():
    shown = {line.rsplit("[", 1)[-1].rstrip("]") for case in LINT_CASES for line in expected_lines(case)}
    assert shown == set(LINT_RULES)


@pytest.mark.parametrize("case", ERROR_CASES)
@pytest.mark.parametrize("options", [(), ("--strict",)], ids=["plain", "strict"])
def test_case_is_rejected_with_exact_lines(case, options, tmp_path, runner, monkeypatch):
    root = content_root(tmp_path / case, case)
    result = validate_here(runner, root, monkeypatch, *options)
    expected = expected_lines(case)
    assert expected, f"{case}/expected.txt lists no error"
    assert sorted(result.stdout.splitlines()) == sorted(expected)
    assert result.stderr == f"{len(expected)} error(s)\n"
    assert result.exit_code == 1


@pytest.mark.parametrize("case", LINT_CASES)
def test_lint_case_warns_with_exact_lines_and_passes(case, tmp_path, runner, monkeypatch):
    root = content_root(tmp_path / case, case)
    result = validate_here(runner, root, monkeypatch)
    expected = expected_lines(case)
    assert expected, f"{case}/expected.txt lists no warning"
    lines = result.stdout.splitlines()
    assert sorted(lines[:-1]) == sorted(expected)
    assert lines[-1].startswith("ok: ")
    assert result.stderr == f"{len(expected)} warning(s); --strict makes them errors\n"
    assert result.exit_code == 0


@pytest.mark.parametrize("case", LINT_CASES)
def test_lint_case_fails_under_strict(case, tmp_path, runner, monkeypatch):
    root = content_root(tmp_path / case, case)
    result = validate_here(runner, root, monkeypatch, "--strict")
    expected = expected_lines(case)
    assert sorted(result.stdout.splitlines()) == sorted(expected)
    assert result.stderr == f"{len(expected)} error(s)\n"
    assert result.exit_code == 1


def test_errors_and_warnings_are_counted_apart(tmp_path, runner, monkeypatch):
    root = content_root(tmp_path / "mixed", "lint-short-ordering")
    shutil.copy(CASES / "many-errors" / "banks" / "many-errors.yaml", root / "banks")
    result = validate_here(runner, root, monkeypatch)
    assert len(result.stdout.splitlines()) == len(expected_lines("many-errors")) + 1
    assert result.stderr == f"{len(expected_lines('many-errors'))} error(s), 1 warning(s)\n"
    assert result.exit_code == 1


def test_oversized_file_is_rejected_unread(tmp_path, runner, monkeypatch):
    root = content_root(tmp_path / "oversized")
    with open(root / "banks" / "huge.yaml", "wb") as huge:
        huge.truncate(MAX_FILE_BYTES + 1)  # sparse: no 8 MiB written to disk
    result = validate_here(runner, root, monkeypatch)
    assert result.stdout.splitlines() == ["banks/huge.yaml:1:1: file is larger than the 8 MiB limit"]
    assert result.exit_code == 1


def test_clean_content_root_passes(tmp_path, runner, monkeypatch):
    root = content_root(tmp_path / "clean")
    shutil.copy(CASES / "valid.yaml", root / "banks" / "valid.yaml")
    result = validate_here(runner, root, monkeypatch)
    assert result.output == CLEAN_SUMMARY + "\n"
    assert result.exit_code == 0


@pytest.mark.parametrize("options", [(), ("--strict",)], ids=["plain", "strict"])
def test_project_content_passes(runner, options):
    result = runner.invoke(args=["content", "validate", *options])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith("ok: ")


def _console_script() -> Path:
    script = Path(sys.executable).with_name("quiz")
    if not script.exists():
        pytest.skip("the quiz console script is not installed beside this Python")
    return script


def test_console_script_rejects_a_case(tmp_path):
    root = content_root(tmp_path / "many-errors", "many-errors")
    result = subprocess.run(
        [_console_script(), "content", "validate", "."],
        cwd=root, capture_output=True, text=True, timeout=60, check=False,
    )
    expected = expected_lines("many-errors")
    assert sorted(result.stdout.splitlines()) == sorted(expected)
    assert result.stderr == f"{len(expected)} error(s)\n"
    assert result.returncode == 1


def test_console_script_accepts_a_clean_root(tmp_path):
    root = content_root(tmp_path / "clean")
    shutil.copy(CASES / "valid.yaml", root / "banks" / "valid.yaml")
    result = subprocess.run(
        [_console_script(), "content", "validate", "."],
        cwd=root, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.stdout == CLEAN_SUMMARY + "\n"
    assert result.returncode == 0
