"""Content errors that point at a file, line and column."""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """Render a node path the way an author reads it: ``questions[3].answer``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in one content file, with the position of the node at fault."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ContentInvalid(Exception):
    """Raised when content has errors; carries every one of them."""

    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = sorted(errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
