"""`grid-intel simulate`: the simulated grid into Kafka (history, live) and the landing
folder (archives)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grid_intel.settings import Settings, get_settings

if TYPE_CHECKING:
    from grid_intel.simulation.feeds import Feeds
from grid_intel.cli.root import KNOWN, app, fail, say, utc

simulate_app = typer.Typer(no_args_is_help=True, help="Stream the simulated grid into Kafka.")
app.add_typer(simulate_app, name="simulate")


@simulate_app.command("history")
def simulate_history(
    start: Annotated[str | None, typer.Option(help="UTC start, ISO 8601.")] = None,
    end: Annotated[str | None, typer.Option(help="UTC end, ISO 8601.")] = None,
    hours: Annotated[
        int, typer.Option(min=1, help="Closed hours before now, without --start.")
    ] = 3,
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 7,
    scale: Annotated[int, typer.Option(min=1, max=64, help="Multiply the sensors.")] = 1,
    faults: Annotated[
        str,
        typer.Option(
            help="Faults to inject: none, all, or kinds, comma "
            "separated (see grid_intel/simulation/faults.py)."
        ),
    ] = "none",
    faults_per_day: Annotated[float, typer.Option(min=0.0, help="Of each kind.")] = 2.0,
    scan_seconds: Annotated[
        int | None,
        typer.Option(min=4, help="Keep one SCADA scan cycle per this many seconds (default all)."),
    ] = None,
) -> None:
    """Publish a stretch of simulated history to every topic as fast as possible.

    With faults, their ground truth goes to <state>/landing/labels/ and ops.fault_labels.
    """
    from grid_intel.demo.shape import closed_hours
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.producer import history

    settings = get_settings()
    if start is None:
        first = closed_hours(datetime.now(UTC), hours)[0]
        t0, t1 = first, first + timedelta(hours=hours)
    else:
        t0 = utc(start)
        t1 = utc(end) if end else t0 + timedelta(hours=hours)
    if t1 <= t0:
        raise fail(ValueError(f"--end {t1:%Y-%m-%d %H:%M} is not after --start {t0:%H:%M}"))
    try:
        feeds = Feeds(seed, scale, _fault_kinds(faults), faults_per_day, scan_seconds)
        if feeds.fault_kinds:
            _record_labels(settings, feeds, t0, t1)
        with settings.kafka_producer(bulk=True) as p:
            stats = history(p, feeds, t0, t1, say)
    except KNOWN as exc:
        raise fail(exc) from None
    typer.echo(stats.line())


def _fault_kinds(spec: str) -> tuple[str, ...]:
    from grid_intel.simulation.faults import KINDS

    if spec in ("", "none"):
        return ()
    return KINDS if spec == "all" else tuple(k.strip() for k in spec.split(",") if k.strip())


def _record_labels(settings: Settings, feeds: Feeds, t0: datetime, t1: datetime) -> None:
    from grid_intel.simulation.labels import record

    n, path = record(settings, feeds.seed, feeds.faults(t0, t1), t0, t1)
    say(f"faults: {n} labels in {path} and ops.fault_labels")


@simulate_app.command("live")
def simulate_live(
    speed: Annotated[
        float, typer.Option(min=0.01, help="Simulated seconds per wall second.")
    ] = 1.0,
    minutes: Annotated[float, typer.Option(min=0.1, help="Simulated minutes to run.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 7,
    scale: Annotated[int, typer.Option(min=1, max=64, help="Multiply the sensors.")] = 1,
    start: Annotated[
        str | None,
        typer.Option(help="UTC start, ISO 8601 (default now); the feed runs that far behind."),
    ] = None,
) -> None:
    """Publish the simulated grid from now on, paced to the wall clock (times `speed`)."""
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.producer import live, now_floor

    settings = get_settings()
    try:
        with settings.kafka_producer(bulk=True) as p:
            stats = live(
                p,
                Feeds(seed, scale),
                utc(start) if start else now_floor(),
                timedelta(minutes=minutes),
                speed,
                say,
            )
    except KNOWN as exc:
        raise fail(exc) from None
    typer.echo(stats.line())


@simulate_app.command("archives")
def simulate_archives(
    start: Annotated[str | None, typer.Option(help="UTC start day, ISO 8601.")] = None,
    end: Annotated[str | None, typer.Option(help="UTC end (exclusive), ISO 8601.")] = None,
    days: Annotated[
        int, typer.Option(min=1, help="Closed UTC days before today, or after --start.")
    ] = 7,
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 7,
    scale: Annotated[int, typer.Option(min=1, max=64, help="Multiply the distribution.")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="Landing folder (default <state>/landing).")
    ] = None,
) -> None:
    """Write weather (ECCC), MISO LMP files, outages, work orders, registry and GIS archives.

    Whole UTC days; files are replaced atomically and are byte-identical for the same seed.
    """
    from grid_intel.simulation.archives import write_archives

    settings = get_settings()
    if start is None:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        t0, t1 = today - timedelta(days=days), today
    else:
        t0 = utc(start)
        t1 = utc(end) if end else t0 + timedelta(days=days)
    if t1 <= t0:
        raise fail(ValueError(f"--end {t1:%Y-%m-%d %H:%M} is not after --start {t0:%H:%M}"))
    try:
        folder = out or settings.resolved_landing_dir
        report = write_archives(folder, seed, t0, t1, say, scale)
    except KNOWN as exc:
        raise fail(exc) from None
    typer.echo(report.line())
