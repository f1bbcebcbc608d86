"""Features meet through signals and shared modules, never through each other's internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "quiz"


def imports_of(folder: str) -> set[str]:
    """Every module the Python files under quiz/<folder> (or the file quiz/<folder>) import."""
    path = PACKAGE / folder
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    found = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


FEATURES = ("accounts", "assignments", "cards", "catalog", "exchange", "live", "study")


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("accounts", "quiz.study"),  # signing in claims a visitor's attempts through user_logged_in
    ("catalog", "quiz.cards"),  # a sync tells the deck through catalog.signals.sync_planned
    ("cards", "quiz.study"),  # charts are quiz.charts
    ("live", "quiz.study"),  # selections, layouts and answers rows are the answering core's (quiz.attempts)
    ("catalog", "quiz.study"),
    ("exchange", "quiz.study"),
    ("questions", "flask"),  # question types run in a plain process
    ("questions", "quiz.models"),
    ("__init__.py", "quiz.cli"),  # the console script imports create_app, not the other way round
])
def test_a_feature_does_not_import_another(folder, forbidden):
    bad = sorted(name for name in imports_of(folder) if name == forbidden or name.startswith(forbidden + "."))
    assert bad == []


@pytest.mark.parametrize("feature", FEATURES)
def test_the_answering_core_imports_no_feature(feature):
    forbidden = f"quiz.{feature}"
    assert sorted(name for name in imports_of("attempts")
                  if name == forbidden or name.startswith(forbidden + ".")) == []


@pytest.mark.parametrize("feature", [name for name in FEATURES if (PACKAGE / name).is_dir()])
def test_no_feature_reaches_into_another_features_service(feature):
    # A feature's service is its own; what two features share lives outside both (answering: quiz.attempts).
    theirs = sorted(name for name in imports_of(feature)
                    if any(name == f"quiz.{other}.service" or name.startswith(f"quiz.{other}.service.")
                           for other in FEATURES if other != feature))
    assert theirs == []


def test_study_and_live_open_and_record_through_the_core():
    drawing = {"quiz.attempts.selection.draw_questions", "quiz.attempts.selection.layouts"}
    for folder in ("study/service.py", "live/opening.py"):
        assert drawing <= imports_of(folder)
    assert "quiz.attempts.recording.record_answer" in imports_of("study/service.py")
    assert {"quiz.attempts.recording.answer_insert", "quiz.attempts.recording.AnswerRow"} <= imports_of(
        "live/writer.py")
    assert "quiz.attempts.recording.answer_row" in imports_of("live/service.py")


def test_live_borrows_no_charts_from_study():
    assert not {name for name in imports_of("live") if name.startswith("quiz.study.charts")}


@pytest.mark.parametrize("edge", ["exchange/upload.py", "exchange/commands.py"])
def test_the_web_page_and_the_command_import_through_one_flow(edge):
    names = imports_of(edge)
    assert "quiz.exchange.operations.import_question_set" in names
    assert not names & {"quiz.exchange.importing.import_bank", "quiz.exchange.publish.publish"}
