"""Where the project and its committed content are, for tests that read or copy them."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CONTENT = PROJECT / "content"
