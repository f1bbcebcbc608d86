"""Fixtures for the exchange tests: the project's committed content and a selection of all of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.content.model import Content
from quiz.content.validate import load_content
from quiz.exchange.selection import ExportSet, select

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def content() -> Content:
    """Everything under the project's content/ (immutable, so shared by every test)."""
    return load_content(PROJECT / "content")


@pytest.fixture(scope="session")
def everything(content: Content) -> ExportSet:
    """Every committed question, bank by bank."""
    return select(content)
