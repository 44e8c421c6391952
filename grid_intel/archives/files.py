"""Reading and writing archive files: atomic replacement, numbered lines, CSV fields."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from grid_intel.archives.errors import ArchiveError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def csv_text(rows: Iterable[Sequence[object]], quote_all: bool = False) -> str:
    """Rows as CSV text with '\\n' line ends; None becomes an empty field."""
    buf = io.StringIO()
    writer = csv.writer(
        buf, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def lines(path: Path) -> list[str]:
    """The file's lines (no line ends, BOM dropped); ArchiveError if unreadable as UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(path, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ArchiveError(path, line, "not UTF-8 text") from None
    out = text.split("\n")
    if out and out[-1] == "":
        out.pop()
    return [s.removesuffix("\r") for s in out]


def fields(line: str) -> list[str]:
    """One CSV line's fields."""
    return next(csv.reader([line]), [])


def checked_fields(line: str) -> list[str]:
    """One CSV line's fields, or ValueError for a line no row can come from: one with a
    NUL (PostgreSQL text cannot hold it: one such row would fail the file's COPY), a
    bare carriage return, or a field over csv's size limit."""
    if "\x00" in line:
        raise ValueError("the line contains a NUL character (U+0000)")
    try:
        return fields(line)
    except csv.Error as exc:
        raise ValueError(f"not a CSV line: {exc}") from None


def numbered(all_lines: list[str], first: int) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) from line `first` on, skipping blank lines."""
    for i in range(first - 1, len(all_lines)):
        if all_lines[i].strip():
            yield i + 1, all_lines[i]


def iso_utc(ts: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second."""
    return None if ts is None else ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    """A timestamp with an explicit offset or Z, as aware UTC; ValueError otherwise."""
    ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if ts.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return ts.astimezone(UTC)


def optional_float(text: str) -> float | None:
    """A finite number, or None for an empty field; ValueError names a bad one."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):  # float() reads "nan", "inf" and 1e999 (inf)
        raise ValueError(f"{text!r} is not a finite number")
    return value
