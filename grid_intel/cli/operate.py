"""Operating the platform: the demo, backfills from the command line, and the `dagster` CLI."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from typing import TYPE_CHECKING, Annotated

import typer

from grid_intel.settings import get_settings

if TYPE_CHECKING:
    pass
from grid_intel.cli.root import KNOWN, app, fail, say, utc


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
        raise fail(RuntimeError(f"{exc} (log: {out.log_path})")) from None
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
        t0, t1 = utc(start), utc(end)
        plan = bf.plan_for_selection(selection, t0, t1, include_unpartitioned=include_unpartitioned)
        for key, why in plan.skipped:
            say(f"skipped {key.to_user_string()}: {why}")
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
            with paused(client, say) if pause_automation else nullcontext():
                outcome = bf.run_backfill(
                    client, plan, say, description=about, timeout_seconds=timeout
                )
    except (bf.BackfillError, DagsterApiError, ValueError) as exc:
        raise fail(exc) from None
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
