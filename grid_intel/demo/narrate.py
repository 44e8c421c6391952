"""The demo's two outputs: one line per stage for the person watching, and everything
else (each service's start-up, each simulated hour, library warnings, dbt's events)
in a log file."""

from __future__ import annotations

import contextlib
import sys
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO


class Narrator:
    def __init__(self, log_path: Path, out: TextIO | None = None) -> None:
        self.log_path = log_path
        self.out = out or sys.stdout
        self.started = time.monotonic()
        self.said: list[tuple[str, str]] = []  # (stage, message), in order
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("a", encoding="utf-8")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def detail(self, message: str) -> None:
        self._log.write(f"{datetime.now(UTC).isoformat()} {message}\n")
        self._log.flush()

    def stage(self, name: str, message: str) -> None:
        line = f"[{self.elapsed:5.0f} s] {name:<10} {message}"
        self.said.append((name, message))
        self.detail(line)
        print(line, file=self.out, flush=True)

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Route this process's stdout, stderr and warnings to the log while the demo runs:
        structlog, Dagster's console logger, dbt's echoed events and PreviewWarnings."""
        shown = warnings.showwarning

        def to_log(message, category, filename, lineno, file=None, line=None) -> None:
            self.detail(f"{category.__name__}: {message} ({filename}:{lineno})")

        warnings.showwarning = to_log
        try:
            with contextlib.redirect_stdout(self._log), contextlib.redirect_stderr(self._log):
                yield
        finally:
            warnings.showwarning = shown
            self._log.flush()

    def close(self) -> None:
        self._log.close()
