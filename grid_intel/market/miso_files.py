"""Read whichever MISO LMP file a path holds: day-ahead ex-post or real-time 5-minute."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.files import lines
from grid_intel.archives.miso import (
    DA_HEADER,
    PREAMBLE_LINES,
    RT_HEADER,
    header_of,
    parse_da,
    parse_rt,
)
from grid_intel.archives.parsed import Parsed


def parse_miso_lmp(path: Path | str) -> Parsed:
    """Detect the file's layout by its header line and read it leniently."""
    path = Path(path)
    text = lines(path)
    header = header_of(path, text)
    if header == DA_HEADER:
        return parse_da(path, text)
    if header == RT_HEADER:
        return parse_rt(path, text)
    shown = ",".join(header[:5]) + (",…" if len(header) > 5 else "")
    raise ArchiveError(
        path,
        PREAMBLE_LINES + 1,
        f"not a MISO DA ex-post or 5-minute LMP file: header {shown!r}, expected "
        f"'Node,Type,Value,HE 1,…,HE 24' or '{','.join(RT_HEADER)}'",
    )


def read_miso_lmp(path: Path | str) -> pl.DataFrame:
    """LMPs in gridstatus's columns (UTC intervals); ArchiveError on any bad layout or row."""
    return parse_miso_lmp(path).strict()
