"""What the landing sensor remembers and decides: files seen, and the loads they call for.

The cursor is typed JSON: each file's (mtime_ns, size) as last seen, and the
UTC days files touched before their daily partition existed (today's, until
it closes). A new or changed file requests every day it holds rows of (or the
whole registry / GIS table) once all files that day needs are present; a day
still missing one waits, and the missing file's arrival requests it. Runs
take up to a week of consecutive days (an ECCC month file touches a month of
them), and their keys hash the stamps of the files read, so the same files
never run twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from grid_intel.archives.landing import FOLDERS
from grid_intel.ingestion.archive_files import (
    DAILY,
    WHOLE,
    Coverage,
    day_files,
    touched,
    whole_files,
)
from grid_intel.sensor_cursor import dump, load

CURSOR_VERSION = 1
DAYS_PER_RUN = 7


@dataclass(frozen=True)
class FileStamp:
    mtime_ns: int
    size: int


def scan(root: Path) -> dict[str, FileStamp]:
    """Files under the archive folders of `root`, by relative path (hidden ones are
    writes in progress, skipped)."""
    out: dict[str, FileStamp] = {}
    for folder in sorted(set(FOLDERS.values())):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.name.startswith(".") or not path.is_file():
                continue
            st = path.stat()
            out[path.relative_to(root).as_posix()] = FileStamp(st.st_mtime_ns, st.st_size)
    return out


@dataclass
class LandingCursor:
    files: dict[str, FileStamp] = field(default_factory=dict)
    pending: dict[str, list[date]] = field(default_factory=dict)

    def to_json(self) -> str:
        return dump(
            CURSOR_VERSION,
            {
                "files": {p: [s.mtime_ns, s.size] for p, s in sorted(self.files.items())},
                "pending": {
                    src: [d.isoformat() for d in days]
                    for src, days in sorted(self.pending.items())
                    if days
                },
            },
        )

    @classmethod
    def from_json(cls, text: str | None) -> LandingCursor:
        if not text:
            return cls()
        return load(
            text,
            CURSOR_VERSION,
            lambda obj: cls(
                files={p: FileStamp(int(s[0]), int(s[1])) for p, s in obj["files"].items()},
                pending={
                    src: [date.fromisoformat(d) for d in days]
                    for src, days in obj["pending"].items()
                },
            ),
            "the sensor loads every landing file again",
        )


@dataclass(frozen=True)
class Request:
    """A load of consecutive UTC days of a daily source, or (no days) a whole table."""

    source: str
    days: tuple[date, ...]
    run_key: str


@dataclass
class Decision:
    requests: list[Request]
    cursor: LandingCursor
    changed: list[str]
    waiting: list[Coverage]
    ignored: list[str]
    skipped: list[str]


def run_key(coverages: list[Coverage], files: dict[str, FileStamp]) -> str:
    """`source:days:hash` of the stamps of the files the load reads."""
    paths = sorted({p for c in coverages for p in c.present})
    text = "\n".join(f"{p}:{files[p].mtime_ns}:{files[p].size}" for p in paths)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    first, last = coverages[0].day, coverages[-1].day
    days = "all" if first is None else str(first) if first == last else f"{first}..{last}"
    return f"{coverages[0].source}:{days}:{digest}"


def runs(coverages: list[Coverage]) -> list[list[Coverage]]:
    """Consecutive days in runs of at most DAYS_PER_RUN."""
    out: list[list[Coverage]] = []
    for cov in coverages:
        last = out[-1][-1].day if out else None
        if out and last and cov.day and (cov.day - last).days == 1 and len(out[-1]) < DAYS_PER_RUN:
            out[-1].append(cov)
        else:
            out.append([cov])
    return out


def decide(
    cursor: LandingCursor,
    files: dict[str, FileStamp],
    first_day: date,
    last_day: date | None,
    today: date,
) -> Decision:
    """The loads that new or changed `files` call for.

    `first_day`..`last_day` are the daily partitions that exist (`last_day` None:
    none yet). A touched day after `last_day` but not after `today` waits in the
    cursor for its partition; later ones (ECCC's blank rows for the rest of the
    month) and ones before `first_day` are only reported.
    """
    changed = sorted(p for p, s in files.items() if cursor.files.get(p) != s)
    days: dict[str, set[date]] = {src: set(cursor.pending.get(src, ())) for src in DAILY}
    whole: set[str] = set()
    ignored = []
    for path in changed:
        hit = touched(path)
        if hit is None:
            ignored.append(path)
        elif hit[0] in WHOLE:
            whole.add(hit[0])
        else:
            days[hit[0]].update(hit[1])
    requests, waiting, skipped = [], [], []
    pending: dict[str, list[date]] = {}
    for source in DAILY:
        ready = []
        for day in sorted(days[source]):
            if day < first_day or day > today:
                skipped.append(f"{source} {day}")
            elif last_day is None or day > last_day:
                pending.setdefault(source, []).append(day)
            elif (cov := day_files(source, day, files)).missing:
                waiting.append(cov)
            else:
                ready.append(cov)
        for run in runs(ready):
            days_of_run = tuple(c.day for c in run if c.day)
            requests.append(Request(source, days_of_run, run_key(run, files)))
    for source in WHOLE:
        if source in whole:
            if (cov := whole_files(source, files)).missing:
                waiting.append(cov)
            else:
                requests.append(Request(source, (), run_key([cov], files)))
    return Decision(
        requests, LandingCursor(dict(files), pending), changed, waiting, ignored, skipped
    )
