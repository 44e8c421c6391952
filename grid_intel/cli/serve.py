"""The long-running services: the API (and its keys), the stream processor, the exporter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from grid_intel.settings import get_settings

if TYPE_CHECKING:
    pass
from grid_intel.cli.root import KNOWN, app, fail, say


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
    say("store it now: only its hash is kept; send it as the X-API-Key header")


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
            raise fail(ValueError(f"no active API key {key!r}; see ops.api_keys"))
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
        raise fail(
            ValueError(f"--topics needs three names (readings,frequency,alerts), got {topics!r}")
        )
    config = StreamConfig(
        settings.kafka_bootstrap,
        settings.warehouse,
        settings.kafka_security,
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
        stats = processor.run(lambda: bool(stopping), idle_exit, say)
    except KNOWN as exc:
        raise fail(exc) from None
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
        raise fail(exc) from None
