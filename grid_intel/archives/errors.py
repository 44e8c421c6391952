"""The one error archive readers raise: which file, which line, what is wrong."""

from __future__ import annotations

from pathlib import Path


class ArchiveError(ValueError):
    """A file that is not the layout its reader expects, or a bad row in it.

    `line` is 1-based, or None when the problem is the whole file.
    """

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")
