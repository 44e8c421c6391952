"""Seconds a fresh interpreter takes to import a module: what every Dagster run process
and code server pays for the code location before any work."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

SNIPPET = "import time; t0 = time.perf_counter(); import {module}; print(time.perf_counter() - t0)"


def import_seconds(module: str, env: Mapping[str, str], repeats: int = 3) -> float:
    """The best of `repeats` fresh imports (the least disturbed by the machine), timed
    inside the child so the interpreter's own start-up is left out."""
    best = float("inf")
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", SNIPPET.format(module=module)],
            capture_output=True,
            text=True,
            env=dict(env),
            check=False,
            timeout=300,
        )
        if out.returncode != 0:
            raise RuntimeError(f"import {module} failed: {out.stderr.strip()[-800:]}")
        best = min(best, float(out.stdout.strip().splitlines()[-1]))
    return best
