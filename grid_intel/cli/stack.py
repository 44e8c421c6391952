"""`grid-intel stack`: start, stop and inspect the local stack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from grid_intel.settings import get_settings

if TYPE_CHECKING:
    pass
from grid_intel.cli.root import KNOWN, app, fail, say

stack_app = typer.Typer(no_args_is_help=True, help="Start, stop and inspect the local stack.")
app.add_typer(stack_app, name="stack")


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
            say,
        )
    except KNOWN as exc:
        raise fail(exc) from None
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
        for name, said in manager.down(get_settings(), purge, say).items():
            typer.echo(f"{name:<10} {said}")
    except KNOWN as exc:
        raise fail(exc) from None


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
