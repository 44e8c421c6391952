"""`grid-intel evaluate-anomalies`: both detection paths scored on labelled simulated faults."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass
from grid_intel.cli.root import app, say, utc


@app.command("evaluate-anomalies")
def evaluate_anomalies(
    days: Annotated[float, typer.Option(min=0.05, help="Simulated days to evaluate.")] = 7.0,
    seed: Annotated[int, typer.Option(help="Simulator seed.")] = 7,
    faults_per_day: Annotated[
        float, typer.Option(min=0.1, help="Injected faults of each kind per day.")
    ] = 4.0,
    start: Annotated[str, typer.Option(help="UTC start, ISO 8601.")] = "2026-01-12T00:00:00+00:00",
) -> None:
    """Both detection paths over a simulated span with every fault kind injected, scored
    against the simulator's labels (the figures of docs/anomaly.md)."""
    from grid_intel.evaluation.anomalies import run

    t0 = utc(start)
    ev = run(seed, t0, t0 + timedelta(days=days), faults_per_day=faults_per_day, progress=say)
    cols = (
        "path",
        "kind",
        "faults",
        "found",
        "events",
        "true_events",
        "precision",
        "recall",
        "f1",
        "median_delay_s",
    )
    typer.echo("  ".join(cols))
    for r in ev.rows:
        typer.echo("  ".join(str(getattr(r, c)) for c in cols))
    typer.echo(f"pooled F1: {ev.f1}")
    typer.echo(f"false alarms per 100 assets per day: {ev.false_alarms_per_100_assets_day}")
    typer.echo(f"median detection delay (s): {ev.median_delay_s}")
    typer.echo(f"goals met: {ev.meets_goals()}  ({ev.assets} assets, {ev.seconds:.0f} s)")
