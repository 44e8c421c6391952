"""`grid-intel bench`: benchmarks with in-run baselines; alone, the whole suite."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from grid_intel.settings import get_settings, project_root

if TYPE_CHECKING:
    pass
from grid_intel.cli.root import KNOWN, app, fail, say

bench_app = typer.Typer(help="Benchmarks with in-run baselines; alone, the whole suite.")
app.add_typer(bench_app, name="bench")


@bench_app.callback(invoke_without_command=True)
def bench_suite(ctx: typer.Context) -> None:
    """Every benchmark (scaled ones at 1x, 4x, 16x sensors), a summary and one JSON report."""
    if ctx.invoked_subcommand is not None:
        return
    from grid_intel.bench.suite import render_suite, run_suite, save_suite

    settings = get_settings()
    repo = project_root()
    suite = run_suite(settings, repo, typer.echo)
    typer.echo(render_suite(suite))
    typer.echo(f"report: {save_suite(suite, settings.state_dir.parent / 'bench-results')}")
    if suite["errors"]:
        raise typer.Exit(1)


Minutes = Annotated[float, typer.Option(min=1, help="Simulated minutes per scale.")]
Scales = Annotated[str, typer.Option(help="Sensor scales, comma separated.")]
Scale = Annotated[int, typer.Option(min=1, max=64, help="Sensor scale.")]
ScanSeconds = Annotated[
    int, typer.Option(min=4, help="Keep one SCADA scan per this many seconds (4 = all).")
]


def _scales(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def _bench(name: str, *args: object, **kwargs: object) -> None:
    """Run one benchmark, print its table and keep its JSON report in bench-results/."""
    from grid_intel import bench

    settings = get_settings()
    try:
        report = getattr(bench, f"bench_{name}")(settings, *args, say, **kwargs)
    except KNOWN as exc:
        raise fail(exc) from None
    typer.echo(bench.table(report))
    typer.echo(f"report: {bench.save(report, settings.state_dir.parent / 'bench-results')}")


@bench_app.command("simulate")
def bench_simulate(minutes: Minutes = 10, scales: Scales = "1,4") -> None:
    """Readings/s the simulator publishes into the broker, beside a raw producer's."""
    _bench("simulate", minutes, _scales(scales))


@bench_app.command("ingest")
def bench_ingest(minutes: Minutes = 20, scales: Scales = "1,4") -> None:
    """Readings/s from Kafka into bronze (the asset's code path) beside a raw binary COPY."""
    _bench("ingest", minutes, _scales(scales))


@bench_app.command("backfill")
def bench_backfill(
    days: Annotated[int, typer.Option(min=1, max=31, help="Days to backfill.")] = 7,
    scale: Scale = 1,
    scan_seconds: ScanSeconds = 60,
) -> None:
    """Single-run backfill of the hourly and the daily dbt assets over `days` days."""
    _bench("backfill", days, scale, scan_seconds)


@bench_app.command("dbt-partition")
def bench_dbt_partition(
    scale: Scale = 1,
    scan_seconds: ScanSeconds = 60,
) -> None:
    """One hourly partition of the silver and gold dbt models beside a raw CTAS of its hour."""
    _bench("dbt_partition", scale, scan_seconds)


@bench_app.command("checks")
def bench_checks(
    scale: Scale = 1,
    scan_seconds: ScanSeconds = 60,
) -> None:
    """A day's checks of bronze and silver readings in one range run, beside a raw scan."""
    _bench("checks", scale, scan_seconds)


@bench_app.command("forecast")
def bench_forecast() -> None:
    """Daily retrain and an hourly issue for every region and horizon (goals: 60 s, 2 s)."""
    _bench("forecast")


@bench_app.command("forecast-accuracy")
def bench_forecast_accuracy(
    every: Annotated[
        int, typer.Option(min=1, help="Each N-th origin only, counting back from the last.")
    ] = 1,
) -> None:
    """Day-ahead MAPE of auto beside MSTL and seasonal naive on the two real series."""
    _bench("forecast_accuracy", every=every)


@bench_app.command("stream")
def bench_stream(minutes: Minutes = 30, scales: Scales = "1,4") -> None:
    """The processor's readings/s beside a raw consumer's, and its end-to-end alert latency."""
    _bench("stream", minutes, _scales(scales))


@bench_app.command("api")
def bench_api(
    rate: Annotated[float, typer.Option(min=1, help="Requests per second, open loop.")] = 1000,
    seconds: Annotated[float, typer.Option(min=1, help="Seconds per endpoint.")] = 10,
) -> None:
    """The API's p50/p99 at a fixed rate from a second process, beside /healthz's."""
    _bench("api", rate, seconds)


@bench_app.command("orchestration")
def bench_orchestration(
    topic: Annotated[
        str, typer.Option(help="Bronze asset of the timed hour: grid_frequency or market_prices.")
    ] = "grid_frequency",
    day: Annotated[
        bool, typer.Option(help="Also backfill the whole graph over one rehearsal day (long).")
    ] = False,
    date: Annotated[
        str | None,
        typer.Option(help="First UTC day for --day, ISO 8601 (default: the last closed days)."),
    ] = None,
    days: Annotated[
        int,
        typer.Option(min=1, max=7, help="With --day: how many days (7: the week, goal 20 min)."),
    ] = 1,
    dry_run: Annotated[
        bool, typer.Option(help="With --day: plan the day's backfill and show its commands only.")
    ] = False,
    runs: Annotated[
        int, typer.Option(min=1, max=10, help="Runs of the hour, one after another.")
    ] = 2,
    services: Annotated[
        bool,
        typer.Option(
            help="Dagster's stock dagster-daemon (30 s between backfill iterations) instead "
            "of the stack's (grid_intel.stack.daemon)."
        ),
    ] = False,
) -> None:
    """Dagster's own cost through a real webserver and daemon: the code location's import,
    one bronze hour's run from dequeue to success (goal 5 s), optionally a day (goal 300 s)."""
    _bench("orchestration", topic, day, date, dry_run, runs, services, days=days)
