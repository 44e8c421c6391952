"""`grid-intel bench`: every benchmark in one command, sized to finish in under 15
minutes on 2 cores, each in a process of its own so its peak memory is its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from grid_intel.bench.machine import facts
from grid_intel.bench.report import table
from grid_intel.bench.summary import (
    WORK_SECONDS,
    ScalePoint,
    figures,
    growth,
    scaling_table,
    summary_table,
)
from grid_intel.settings import Settings

Say = Callable[[str], None]
SCALES = (1, 4, 16)
CHILD_TIMEOUT_S = 600


@dataclass(frozen=True)
class Step:
    """One benchmark with the suite's sizes; `scaled` ones run once per scale."""

    name: str
    args: tuple[object, ...] = ()
    kwargs: dict[str, object] = field(default_factory=dict)
    scaled: bool = False


# Sized for under 15 minutes on 2 cores: on a loaded machine (load average 7-9) the
# first sizing ran simulate 2.5 min, ingest 1.5 min, and a 1-day backfill at one scan
# per minute 5 min, so the dbt steps keep one scan in four minutes.
STEPS = (
    Step("simulate", (1,), scaled=True),
    Step("ingest", (2,), scaled=True),
    Step("backfill", (1, 1, 240)),
    Step("dbt_partition", (1, 240), {"rerun": False}),
    Step("forecast"),
    Step("stream", (2,), {"live_minutes": 2}, scaled=True),
    Step("api", (1000, 3)),
)


def _child(name: str, args: list[object], kwargs: dict[str, object]) -> dict[str, object]:
    """Run one benchmark in a child process; its report, peak RSS and wall seconds."""
    with tempfile.TemporaryDirectory(prefix="grid-intel-bench-") as tmp:
        out = Path(tmp) / "out.json"
        spec = json.dumps({"args": args, "kwargs": kwargs})
        t0 = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "grid_intel.bench.child", name, spec, str(out)],
                stdout=subprocess.DEVNULL,
                timeout=CHILD_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(
                f"bench {name} took over {CHILD_TIMEOUT_S} s and was stopped; is the machine "
                f"loaded? Run `grid-intel bench {name.replace('_', '-')}` alone to time it"
            ) from None
        wall = time.perf_counter() - t0
        if done.returncode or not out.exists():
            raise RuntimeError(
                f"bench {name} exited with {done.returncode}; its error is above. "
                f"Run `grid-intel bench {name.replace('_', '-')}` alone to retry it"
            )
        result = json.loads(out.read_text())
    result["wall_seconds"] = round(wall, 2)
    return result


def _scaled(step: Step, say: Say) -> tuple[dict[str, object], list[ScalePoint]]:
    """The step once per scale, its runs merged into one report."""
    report: dict[str, object] | None = None
    points = []
    for scale in SCALES:
        say(f"== {step.name} x{scale}")
        r = _child(step.name, [*step.args, [scale]], step.kwargs)
        run = r["report"]["runs"][0]  # type: ignore[index]
        rss = max(float(r["peak_rss_mib"]), float(r["children_peak_rss_mib"]))  # type: ignore[arg-type]
        run.update(peak_rss_mib=rss, wall_seconds=r["wall_seconds"])
        points.append(
            ScalePoint(
                step.name,
                scale,
                int(run["readings"]),
                float(run[WORK_SECONDS[step.name]]),
                float(r["wall_seconds"]),  # type: ignore[arg-type]
                rss,
            )
        )
        if report is None:
            report = r["report"]  # type: ignore[assignment]
        else:
            report["runs"].append(run)  # type: ignore[union-attr]
    return report, points  # type: ignore[return-value]


def run_suite(settings: Settings, repo: Path, say: Say) -> dict[str, object]:
    """Every step in turn, each table printed as it finishes; a failed step is reported
    and the suite goes on."""
    t0 = time.perf_counter()
    suite: dict[str, object] = {
        "benchmark": "suite",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": facts(settings.warehouse, repo),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "scales": list(SCALES),
        "reports": {},
        "errors": {},
    }
    say(f"machine: {suite['machine']}; load average {suite['load_average_before']}")
    points: list[ScalePoint] = []
    for step in STEPS:
        try:
            if step.scaled:
                report, pts = _scaled(step, say)
                points += pts
            else:
                say(f"== {step.name}")
                r = _child(step.name, list(step.args), step.kwargs)
                report = {**r["report"], "peak_rss_mib": r["peak_rss_mib"]}  # type: ignore[dict-item]
                report["wall_seconds"] = r["wall_seconds"]
        except (RuntimeError, OSError, ValueError, KeyError) as exc:
            suite["errors"][step.name] = str(exc)  # type: ignore[index]
            say(f"!! {step.name} failed: {exc}")
            continue
        suite["reports"][step.name] = report  # type: ignore[index]
        say(table(report))
    figs = [f for r in suite["reports"].values() for f in figures(r)]  # type: ignore[union-attr]
    suite["summary"] = [asdict(f) for f in figs]
    suite["scaling"] = growth(points)
    suite["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    suite["seconds"] = round(time.perf_counter() - t0, 1)
    return suite


def render_suite(suite: dict[str, object]) -> str:
    """The closing summary: every figure beside its baseline, then the scaling run."""
    from grid_intel.bench.summary import Figure

    figs = [Figure(**f) for f in suite["summary"]]  # type: ignore[union-attr, arg-type]
    lines = [
        "== summary (ratio = value / baseline)",
        summary_table(figs),
        "",
        "== scaling (growth = multiple of the 1x run)",
        scaling_table(suite["scaling"]),  # type: ignore[arg-type]
        "",
        f"suite: {suite['seconds']} s; load average before {suite['load_average_before']}, "
        f"after {suite['load_average_after']}",
    ]
    errors: dict[str, str] = suite["errors"]  # type: ignore[assignment]
    lines += [f"FAILED {name}: {err}" for name, err in errors.items()]
    return "\n".join(lines)


def save_suite(suite: dict[str, object], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"suite-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(suite, indent=2, default=str))
    return path
