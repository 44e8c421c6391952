"""Rehearsal days through the whole graph (one, or the week of docs/operations.md):
`simulate history --scan-seconds 60 --faults all` and `simulate archives` for the days,
then one backfill of every asset over them, launched through the webserver and run by
the daemon. With `dry_run`, only the commands and the backfill's plan are shown."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from grid_intel.bench import backfill_runs
from grid_intel.operations import backfill as bf
from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel.settings import Settings
from grid_intel.stack.dagster import dagster_env

Progress = Callable[[str], None]
SELECTION = "*"
TIMEOUT_S = 2 * 3600


def last_closed_day(now: datetime, days: int = 1) -> datetime:
    """The first of the last `days` closed UTC days (yesterday's midnight for one): closed,
    and inside every topic's 7-day retention."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=days)


def day_commands(day: datetime, days: int = 1) -> list[list[str]]:
    """`grid-intel` argv publishing the days to Kafka and writing their archives."""
    start, end = day.isoformat(), (day + timedelta(days=days)).isoformat()
    history = ["simulate", "history", "--start", start, "--end", end]
    return [
        [*history, "--scan-seconds", "60", "--faults", "all"],
        ["simulate", "archives", "--start", start, "--days", str(days)],
    ]


def _grid_intel(args: list[str], settings: Settings, progress: Progress) -> float:
    """Run one `grid-intel` command against the bench's deployment; its seconds."""
    progress(f"day: grid-intel {' '.join(args)}")
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "grid_intel", *args],
        stdout=subprocess.PIPE,
        text=True,
        env=dagster_env(settings),
        check=False,
    )
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"grid-intel {' '.join(args[:2])} exited {out.returncode}")
    progress(f"day: {out.stdout.strip().splitlines()[-1]} ({seconds:.0f} s)")
    return seconds


def rehearsal_day(
    settings: Settings, day: datetime, progress: Progress, dry_run: bool = False, days: int = 1
) -> dict[str, object]:
    """Seconds, asset partitions and failures of the whole-graph backfill of `days` days
    from `day`."""
    plan = bf.plan_for_selection(
        SELECTION, day, day + timedelta(days=days), include_unpartitioned=True
    )
    commands = day_commands(day, days)
    report: dict[str, object] = {
        "day": f"{day:%Y-%m-%d}",
        "days": days,
        "commands": [" ".join(["grid-intel", *c]) for c in commands],
        "assets": len(plan.assets),
        "partitions": plan.partitions,
        "skipped": [k.to_user_string() for k, _ in plan.skipped],
        "dry_run": dry_run,
    }
    if dry_run:
        for line in report["commands"]:  # type: ignore[union-attr]
            progress(f"day (dry run): would run {line}")
        progress(
            f"day (dry run): would backfill {SELECTION!r} --include-unpartitioned over "
            f"{day:%Y-%m-%d} and {days - 1} days after: {len(plan.assets)} assets, "
            f"{plan.partitions} asset partitions"
        )
        return report
    history_cmd, archives_cmd = commands
    report["publish_seconds"] = round(_grid_intel(history_cmd, settings, progress), 1)
    report["archives_seconds"] = round(_grid_intel(archives_cmd, settings, progress), 1)
    with DagsterGraphQL.local(settings.dagster_port) as client:
        outcome = bf.run_backfill(
            client,
            plan,
            progress,
            description=f"bench orchestration: {days} rehearsal day(s) from {day:%Y-%m-%d}",
            timeout_seconds=TIMEOUT_S,
        )
        runs = backfill_runs.timeline(backfill_runs.fetch(client, outcome.backfill_id))
    kinds = backfill_runs.by_assets(runs)
    idle = backfill_runs.idle_seconds(runs)
    for k in kinds[:8]:
        progress(
            f"day: {k['run_seconds']:.0f} run-seconds in {k['runs']} run(s) of {k['assets']}"
            f" (longest {k['longest']:.0f} s)"
        )
    progress(f"day: {len(runs)} runs; no run of the backfill running for {idle:.0f} s of it")
    report |= {
        "backfill_id": outcome.backfill_id,
        "status": outcome.status,
        "seconds": round(outcome.seconds, 1),
        "materialized": outcome.counts.materialized,
        "failed": outcome.counts.failed,
        "partitions_per_min": round(outcome.partitions_per_minute, 1),
        "failed_assets": outcome.failed_assets,
        "idle_seconds": idle,
        "run_kinds": kinds,
        "backfill_runs": runs,
    }
    return report
