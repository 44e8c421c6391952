"""`grid-intel`: the local stack, migrations, dbt, the grid simulator and the demo."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grid_intel import log
from grid_intel.settings import Settings, get_settings

if TYPE_CHECKING:
    from grid_intel.simulation.feeds import Feeds

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Manitoba Grid Intelligence command line."
)
stack_app = typer.Typer(no_args_is_help=True, help="Start, stop and inspect the local stack.")
app.add_typer(stack_app, name="stack")


def _say(message: str) -> None:
    """Progress of long work, as structured log events on stderr."""
    log.get("grid_intel").info(message)


def _fail(exc: Exception) -> typer.Exit:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


KNOWN = (RuntimeError, OSError, ValueError)


@app.callback()
def _setup() -> None:
    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError: a bad setting names itself
        raise _fail(exc) from None
    log.configure(settings.log_level, settings.log_format)


@stack_app.command("up")
def stack_up(
    timescale: Annotated[bool, typer.Option(help="Also start the TimescaleDB lane.")] = False,
    dagster: Annotated[bool, typer.Option(help="Also start Dagster (UI + daemon).")] = False,
    simulator: Annotated[
        bool, typer.Option(help="Also stream the live simulated grid into Kafka.")
    ] = False,
    stream: Annotated[
        bool, typer.Option(help="Also run the stream processor (grid.alerts, live windows).")
    ] = False,
    api: Annotated[
        bool, typer.Option(help="Also serve the REST/WebSocket API and the dashboard.")
    ] = False,
    exporter: Annotated[
        bool, typer.Option(help="Also serve bronze-load and Kafka-lag metrics for Prometheus.")
    ] = False,
) -> None:
    """Start PostgreSQL and Kafka (optionally the TimescaleDB lane and Dagster), then migrate."""
    from grid_intel.stack import manager

    try:
        statuses, reports = manager.up(
            get_settings(),
            manager.Selection(
                timescale=timescale,
                dagster=dagster,
                simulator=simulator,
                stream=stream,
                api=api,
                exporter=exporter,
            ),
            _say,
        )
    except KNOWN as exc:
        raise _fail(exc) from None
    for s in statuses:
        typer.echo(s.line())
    for r in reports:
        typer.echo(f"warehouse  lane={r.lane} applied={len(r.applied)} current={len(r.current)}")


@stack_app.command("down")
def stack_down(
    purge: Annotated[bool, typer.Option(help="Also delete the services' data.")] = False,
) -> None:
    """Stop what `stack up` started; data is kept unless --purge."""
    from grid_intel.stack import manager

    try:
        for name, said in manager.down(get_settings(), purge, _say).items():
            typer.echo(f"{name:<10} {said}")
    except KNOWN as exc:
        raise _fail(exc) from None


@stack_app.command("status")
def stack_status() -> None:
    """Healthy or down, with the reason, per service; exits 1 if PostgreSQL or Kafka is down."""
    from grid_intel.stack import manager

    statuses = manager.status(get_settings())
    for s in statuses:
        typer.echo(s.line())
    core = [s for s in statuses if s.name in ("postgres", "kafka")]
    if not all(s.healthy for s in core):
        raise typer.Exit(1)


@app.command()
def migrate(
    timescale: Annotated[bool, typer.Option(help="Migrate the TimescaleDB lane instead.")] = False,
) -> None:
    """Apply the warehouse migrations (idempotent)."""
    from grid_intel.stack.manager import migrate_url

    settings = get_settings()
    try:
        r = migrate_url(settings.timescale_url if timescale else settings.warehouse, settings)
    except KNOWN as exc:
        raise _fail(exc) from None
    typer.echo(
        f"lane={r.lane} timescaledb={r.timescaledb_version} applied={r.applied} "
        f"current={len(r.current)}"
    )


@app.command("dbt-prepare")
def dbt_prepare() -> None:
    """Build the dbt manifest Dagster loads (run after changing grid_intel_dbt/)."""
    from grid_intel.defs.dbt.project import dbt_project, prepare

    prepare()
    typer.echo(f"manifest: {dbt_project.manifest_path}")


@app.command("dbt-docs")
def dbt_docs() -> None:
    """Generate the dbt docs (models, columns, tests, lineage) as one static HTML page."""
    from grid_intel.defs.dbt.project import generate_docs
    from grid_intel.defs.resources import WarehouseResource

    warehouse = WarehouseResource(url=get_settings().warehouse)
    try:
        page = generate_docs(warehouse.lane(), warehouse.dbt_env())
    except KNOWN as exc:
        raise _fail(exc) from None
    typer.echo(f"dbt docs: file://{page}  (or `cd grid_intel_dbt && dbt docs serve`)")


simulate_app = typer.Typer(no_args_is_help=True, help="Stream the simulated grid into Kafka.")
app.add_typer(simulate_app, name="simulate")


def _utc(value: str) -> datetime:
    ts = datetime.fromisoformat(value)
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


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
    from grid_intel.kafka.client import producer
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.producer import history

    settings = get_settings()
    if start is None:
        first = closed_hours(datetime.now(UTC), hours)[0]
        t0, t1 = first, first + timedelta(hours=hours)
    else:
        t0 = _utc(start)
        t1 = _utc(end) if end else t0 + timedelta(hours=hours)
    if t1 <= t0:
        raise _fail(ValueError(f"--end {t1:%Y-%m-%d %H:%M} is not after --start {t0:%H:%M}"))
    try:
        feeds = Feeds(seed, scale, _fault_kinds(faults), faults_per_day, scan_seconds)
        if feeds.fault_kinds:
            _record_labels(settings, feeds, t0, t1)
        with producer(settings.kafka_bootstrap, settings.connect_timeout_s, bulk=True) as p:
            stats = history(p, feeds, t0, t1, _say)
    except KNOWN as exc:
        raise _fail(exc) from None
    typer.echo(stats.line())


def _fault_kinds(spec: str) -> tuple[str, ...]:
    from grid_intel.simulation.faults import KINDS

    if spec in ("", "none"):
        return ()
    return KINDS if spec == "all" else tuple(k.strip() for k in spec.split(",") if k.strip())


def _record_labels(settings: Settings, feeds: Feeds, t0: datetime, t1: datetime) -> None:
    from grid_intel.simulation.labels import record

    n, path = record(settings, feeds.seed, feeds.faults(t0, t1), t0, t1)
    _say(f"faults: {n} labels in {path} and ops.fault_labels")


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
    from grid_intel.kafka.client import producer
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.producer import live, now_floor

    settings = get_settings()
    try:
        with producer(settings.kafka_bootstrap, settings.connect_timeout_s, bulk=True) as p:
            stats = live(
                p,
                Feeds(seed, scale),
                _utc(start) if start else now_floor(),
                timedelta(minutes=minutes),
                speed,
                _say,
            )
    except KNOWN as exc:
        raise _fail(exc) from None
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
        t0 = _utc(start)
        t1 = _utc(end) if end else t0 + timedelta(days=days)
    if t1 <= t0:
        raise _fail(ValueError(f"--end {t1:%Y-%m-%d %H:%M} is not after --start {t0:%H:%M}"))
    try:
        folder = out or settings.resolved_landing_dir
        report = write_archives(folder, seed, t0, t1, _say, scale)
    except KNOWN as exc:
        raise _fail(exc) from None
    typer.echo(report.line())


bench_app = typer.Typer(help="Benchmarks with in-run baselines; alone, the whole suite.")
app.add_typer(bench_app, name="bench")


@bench_app.callback(invoke_without_command=True)
def bench_suite(ctx: typer.Context) -> None:
    """Every benchmark (scaled ones at 1x, 4x, 16x sensors), a summary and one JSON report."""
    if ctx.invoked_subcommand is not None:
        return
    from grid_intel.bench.suite import render_suite, run_suite, save_suite

    settings = get_settings()
    repo = Path(__file__).resolve().parent.parent
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
        report = getattr(bench, f"bench_{name}")(settings, *args, _say, **kwargs)
    except KNOWN as exc:
        raise _fail(exc) from None
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

    t0 = _utc(start)
    ev = run(seed, t0, t0 + timedelta(days=days), faults_per_day=faults_per_day, progress=_say)
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


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Bind address (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings, 58080).")] = None,
) -> None:
    """Serve the REST API, the WebSocket stream and the dashboard."""
    from grid_intel.api.server import serve

    settings = get_settings()
    typer.echo(f"API on http://{host or settings.api_host}:{port or settings.api_port}")
    serve(settings, host, port)


api_key_app = typer.Typer(no_args_is_help=True, help="API keys for alert subscriptions.")
app.add_typer(api_key_app, name="api-key")


@api_key_app.command("create")
def api_key_create(
    name: Annotated[str, typer.Argument(help="Who the key is for (shown in ops.api_keys).")],
) -> None:
    """Mint an API key; it is printed once and only its hash is stored."""
    from grid_intel.api.auth import create_key
    from grid_intel.warehouse.connection import connect

    settings = get_settings()
    with connect(settings.warehouse, timeout_s=settings.connect_timeout_s) as conn:
        key = create_key(conn, name)
    typer.echo(key)
    _say("store it now: only its hash is kept; send it as the X-API-Key header")


@api_key_app.command("revoke")
def api_key_revoke(
    key: Annotated[str, typer.Argument(help="The key, or its prefix (the part after gi_).")],
) -> None:
    """Revoke an API key; its subscriptions stop being served to it."""
    from grid_intel.api.auth import revoke_key
    from grid_intel.warehouse.connection import connect

    settings = get_settings()
    with connect(settings.warehouse, timeout_s=settings.connect_timeout_s) as conn:
        if not revoke_key(conn, key):
            raise _fail(ValueError(f"no active API key {key!r}; see ops.api_keys"))
    typer.echo("revoked")


@app.command()
def stream(
    group: Annotated[str, typer.Option(help="Consumer group; add processes to scale out.")] = (
        "grid-intel-stream"
    ),
    idle_exit: Annotated[
        float | None,
        typer.Option(help="Exit once caught up and idle this many seconds (default: run on)."),
    ] = None,
    latest: Annotated[
        bool, typer.Option(help="Partitions with no checkpoint start at the end, not the start.")
    ] = False,
    scale: Annotated[int, typer.Option(min=1, max=64, help="Sensor scale of the registry.")] = 1,
    topics: Annotated[
        str,
        typer.Option(help="Readings, frequency and alerts topics, comma separated."),
    ] = "sensor.readings,grid.frequency,grid.alerts",
    commit_every: Annotated[
        float, typer.Option(min=0.1, help="Seconds between checkpoints (and offset commits).")
    ] = 1.0,
) -> None:
    """Run the stream processor: live windows into gold.live_aggregates, alerts to grid.alerts."""
    import signal

    from grid_intel.grid.registry import build_registry
    from grid_intel.observability.server import STREAM_PORT_SETTING, serve_optional
    from grid_intel.streaming.points import point_info
    from grid_intel.streaming.processor import Processor, StreamConfig

    settings = get_settings()
    stopping: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _: stopping.append(signum))
    names = [t.strip() for t in topics.split(",")]
    if len(names) != 3 or not all(names):
        raise _fail(
            ValueError(f"--topics needs three names (readings,frequency,alerts), got {topics!r}")
        )
    config = StreamConfig(
        settings.kafka_bootstrap,
        settings.warehouse,
        group=group,
        readings_topic=names[0],
        frequency_topic=names[1],
        alerts_topic=names[2],
        from_start=not latest,
        commit_every_s=commit_every,
    )
    registry = build_registry(scale)
    processor = Processor(config, point_info(registry.points), registry)
    port = settings.stream_metrics_port
    serve_optional(processor.metrics.registry, settings.metrics_host, port, STREAM_PORT_SETTING)
    try:
        stats = processor.run(lambda: bool(stopping), idle_exit, _say)
    except KNOWN as exc:
        raise _fail(exc) from None
    typer.echo(stats.line())


@app.command()
def exporter(
    host: Annotated[str | None, typer.Option(help="Bind address (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings, 59465).")] = None,
) -> None:
    """Serve bronze-load metrics (ops.ingestion_runs) and Kafka lag for Prometheus."""
    import signal

    from grid_intel.observability.exporter import run

    stopping: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _: stopping.append(signum))
    try:
        run(
            get_settings(),
            lambda: bool(stopping),
            host,
            port,
            lambda url: typer.echo(f"exporter on {url}"),
        )
    except KNOWN as exc:
        raise _fail(exc) from None


@app.command()
def demo(
    days: Annotated[
        int, typer.Option(min=1, max=6, help="Closed days of history (forecasts need 4).")
    ] = 4,
    scan_seconds: Annotated[
        int, typer.Option(min=4, help="SCADA scan interval of the older history (s).")
    ] = 300,
    recent_hours: Annotated[
        int, typer.Option(min=1, max=6, help="Last closed hours at full rate, faults in the first.")
    ] = 1,
) -> None:
    """The whole product on an empty local stack: history through Kafka, one backfill of
    every layer through Dagster, then sensors and a live simulator (resets .state's data)."""
    from grid_intel.demo.narrate import Narrator
    from grid_intel.demo.run import run
    from grid_intel.demo.shape import Shape
    from grid_intel.demo.tour import tour

    settings = get_settings()
    out = Narrator(settings.state_dir / "logs" / "demo.log")
    typer.echo(f"Demo: stage lines below; every detail in {out.log_path}")
    try:
        with out.quiet():
            found = run(settings, Shape(days, scan_seconds, recent_hours), out)
    except KNOWN as exc:
        raise _fail(RuntimeError(f"{exc} (log: {out.log_path})")) from None
    finally:
        out.close()
    for line in tour(settings, found):
        typer.echo(line)


@app.command()
def backfill(
    selection: Annotated[
        str, typer.Argument(help="Dagster asset selection: '*', 'key:\"gold/*\"', 'group:silver'.")
    ],
    start: Annotated[str, typer.Option(help="UTC start of the window, ISO 8601.")],
    end: Annotated[str, typer.Option(help="UTC end of the window (exclusive), ISO 8601.")],
    include_unpartitioned: Annotated[
        bool, typer.Option(help="Also run the selected unpartitioned assets once.")
    ] = False,
    url: Annotated[
        str | None, typer.Option(help="Webserver GraphQL URL (default: the local stack's).")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow the backfill until it ends.")] = True,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to follow it.")] = 6 * 3600,
    pause_automation: Annotated[
        bool,
        typer.Option(
            help="Stop the running sensors and schedules while it runs and start them "
            "again after (for history the sensors never saw)."
        ),
    ] = False,
) -> None:
    """Launch one Dagster backfill of the selection over [start, end) through the webserver,
    with progress until done; exits 1 if any partition failed."""
    from grid_intel.operations import backfill as bf
    from grid_intel.operations.automation import paused
    from grid_intel.operations.graphql import DagsterApiError, DagsterGraphQL

    settings = get_settings()
    try:
        t0, t1 = _utc(start), _utc(end)
        plan = bf.plan_for_selection(selection, t0, t1, include_unpartitioned=include_unpartitioned)
        for key, why in plan.skipped:
            _say(f"skipped {key.to_user_string()}: {why}")
        client = DagsterGraphQL(url) if url else DagsterGraphQL.local(settings.dagster_port)
        if pause_automation and not wait:
            raise ValueError(
                "--pause-automation resumes the sensors when the backfill ends, so it needs --wait"
            )
        with client:
            about = f"grid-intel backfill of the selection {selection}"
            if not wait:
                typer.echo(f"backfill {bf.launch(client, plan, about)} launched")
                return
            with paused(client, _say) if pause_automation else nullcontext():
                outcome = bf.run_backfill(
                    client, plan, _say, description=about, timeout_seconds=timeout
                )
    except (bf.BackfillError, DagsterApiError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo(
        f"backfill {outcome.backfill_id} {outcome.status.lower()}: {outcome.counts.line()} in "
        f"{outcome.seconds:.0f} s ({outcome.partitions_per_minute:.1f} partitions/min)"
    )
    if not outcome.succeeded:
        failed = ", ".join(outcome.failed_assets) or "see the UI"
        typer.secho(f"failed assets: {failed}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def dagster(ctx: typer.Context) -> None:
    """Run the `dagster` CLI with this project's DAGSTER_HOME and storage, e.g. `dagster dev`."""
    from grid_intel.stack.dagster import dagster_env

    env = dagster_env(get_settings())
    argv = [sys.executable, "-m", "dagster", *ctx.args]
    os.execvpe(argv[0], argv, env)


def main() -> None:
    app()
