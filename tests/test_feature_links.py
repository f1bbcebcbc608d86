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


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("accounts", "quiz.study"),  # signing in claims a visitor's attempts through user_logged_in
    ("catalog", "quiz.cards"),  # a sync tells the deck through catalog.signals.sync_planned
    ("cards", "quiz.study"),  # charts are quiz.charts
    ("questions", "flask"),  # question types run in a plain process
    ("questions", "quiz.models"),
    ("__init__.py", "quiz.cli"),  # the console script imports create_app, not the other way round
])
def test_a_feature_does_not_import_another(folder, forbidden):
    bad = sorted(name for name in imports_of(folder) if name == forbidden or name.startswith(forbidden + "."))
    assert bad == []


def test_live_borrows_no_charts_from_study():
    assert not {name for name in imports_of("live") if name.startswith("quiz.study.charts")}


@pytest.mark.parametrize("edge", ["exchange/upload.py", "exchange/commands.py"])
def test_the_web_page_and_the_command_import_through_one_flow(edge):
    names = imports_of(edge)
    assert "quiz.exchange.operations.import_question_set" in names
    assert not names & {"quiz.exchange.importing.import_bank", "quiz.exchange.publish.publish"}
