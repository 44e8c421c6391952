"""What a lenient read returns: the good rows as a frame, and the bad rows set apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grid_intel.archives.errors import ArchiveError

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Reject:
    """A row that could not be read: its 1-based line, its text, and why."""

    line: int
    raw: str
    error: str


@dataclass(frozen=True)
class Parsed:
    path: Path
    frame: pl.DataFrame
    rejects: list[Reject] = field(default_factory=list)

    def strict(self) -> pl.DataFrame:
        """The frame, or an ArchiveError naming the first bad row."""
        if self.rejects:
            first = self.rejects[0]
            more = f" (and {len(self.rejects) - 1} more bad rows)" if len(self.rejects) > 1 else ""
            raise ArchiveError(self.path, first.line, first.error + more)
        return self.frame
