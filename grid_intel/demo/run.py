"""The demo, stage by stage: an empty local stack, history into Kafka, one backfill of
the whole graph through Dagster, then the sensors and the live simulator take over."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg

from grid_intel.demo.narrate import Narrator
from grid_intel.demo.shape import HOUR, Shape, Windows
from grid_intel.operations.automation import Instigator
from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel.settings import Settings

# Faults the quality checks and detectors should see in the demo's faulty hour (about
# two of each).
DEMO_FAULTS = (
    "data_gap",
    "duplicate_message",
    "malformed_message",
    "late_message",
    "spike",
    "dropout",
    "stuck_sensor",
)
DEMO_FAULTS_PER_DAY = 48.0


@dataclass(frozen=True)
class Addresses:
    ui: str
    dashboard: str
    windows: Windows


def run(settings: Settings, shape: Shape, out: Narrator, seed: int = 7) -> Addresses:
    from grid_intel.defs.dbt.project import prepare_if_stale
    from grid_intel.operations.graphql import DagsterGraphQL
    from grid_intel.stack import manager
    from grid_intel.stack.api import ApiServer
    from grid_intel.stack.dagster import dagster_env

    if settings.env == "prod":
        raise ValueError("the demo resets the stack's data: it runs only with GRID_INTEL_ENV=local")
    manager.down(settings, purge=True, progress=out.detail)
    manager.up(settings, manager.Selection(), out.detail)
    out.stage("stack", f"PostgreSQL and Kafka up on empty data ({settings.state_dir})")
    if prepare_if_stale(out.detail):
        out.stage("dbt", "the project's manifest parsed")
    dashboard = ApiServer(settings).start(out.detail).endpoint  # fills as the layers land
    w = shape.windows(datetime.now(UTC))
    # Its topics are fresh and written in time order: a day's load stops 2 h after the
    # day instead of reading every later day too.
    os.environ["GRID_INTEL_BOUNDED_READS"] = "true"
    os.environ.update(dagster_env(settings))
    with DagsterGraphQL.local(settings.dagster_port) as client, ExitStack() as stack:
        # Dagster starts (its sensors stopped) while this process publishes the history.
        with ThreadPoolExecutor(1) as pool:
            dagster = pool.submit(start_dagster, settings, client, stack, out)
            publish(settings, shape, w, out, seed)
            loaded = prepare_reference(settings, w, out, seed)
            ui, stopped = dagster.result()
        out.stage("dagster", f"UI at {ui}; its sensors and automation wait for the backfill")
        build(settings, client, w, out, loaded)
        hand_over(settings, client, stopped, w, out, seed)
    verify(dashboard, out)
    return Addresses(ui, dashboard, w)


def start_dagster(
    settings: Settings, client: DagsterGraphQL, stack: ExitStack, out: Narrator
) -> tuple[str, list[Instigator]]:
    """The webserver, then every sensor and schedule stopped, then the daemon: none ticks
    before the backfill (a topic sensor would request the history's hours itself, and
    the automation would remember the history as updated)."""
    from grid_intel.operations.automation import paused
    from grid_intel.stack.dagster import DagsterService

    stopped: list[Instigator] = []

    def pause() -> None:
        stopped.extend(stack.enter_context(paused(client, out.detail)))

    service = DagsterService(settings)
    service.start(out.detail, before_daemon=pause)
    return service.url, stopped


def publish(settings: Settings, shape: Shape, w: Windows, out: Narrator, seed: int) -> None:
    """History into Kafka: reduced rate, then the recent hours with faults in the first."""
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.labels import record
    from grid_intel.simulation.producer import PublishStats, history

    faulty = Feeds(
        seed,
        faults=DEMO_FAULTS,
        faults_per_day=DEMO_FAULTS_PER_DAY,
        scan_seconds=shape.recent_scan_seconds,
    )
    injected = [f for f in faulty.faults(w.faulty, w.faulty + HOUR) if f.kind in DEMO_FAULTS]
    parts = [
        (
            Feeds(seed, scan_seconds=shape.scan_seconds, frequency_seconds=shape.scan_seconds),
            w.start,
            w.recent,
        ),
        (faulty, w.faulty, w.faulty + HOUR),
        (Feeds(seed, scan_seconds=shape.recent_scan_seconds), w.faulty + HOUR, w.until),
    ]
    stats = PublishStats()
    with settings.kafka_producer(bulk=True) as p:
        for feeds, t0, t1 in parts:
            if t1 > t0:
                stats.add(history(p, feeds, t0, t1, out.detail))
    older = (w.recent - w.start) / HOUR
    rate = f"one per {shape.recent_scan_seconds} s" if shape.recent_scan_seconds else "all 4 s"
    out.stage(
        "published",
        f"{older:.0f} h at one scan and frequency sample per {shape.scan_seconds} s, then "
        f"{len(w.recent_hours)} h of scans at {rate}, {w.start:%Y-%m-%d %H:%M}.."
        f"{w.until:%H:%M} UTC: {stats.line()}",
    )
    n, _ = record(settings, seed, injected, w.faulty, w.faulty + HOUR)
    kinds = ", ".join(sorted({f.kind for f in injected}))
    out.stage("faults", f"{n} injected in {w.faulty:%Y-%m-%d %H:00} UTC ({kinds})")


def prepare_reference(settings: Settings, w: Windows, out: Narrator, seed: int) -> set[dg.AssetKey]:
    """Archives into the landing folder, then the registry and the reference models
    loaded in this process before any reading is judged against them."""
    from grid_intel.simulation.archives import write_archives

    write_archives(settings.resolved_landing_dir, seed, w.start, w.until, out.detail)
    with dg.DagsterInstance.get() as instance:
        loaded = load_reference(settings, instance)
    out.stage(
        "reference",
        f"archives for {len(w.days)} days written; registry and {len(loaded)} reference "
        "tables loaded",
    )
    return loaded


def load_reference(settings: Settings, instance: dg.DagsterInstance) -> set[dg.AssetKey]:
    """The registry and the reference models: completeness and referential integrity
    judge each hour against them."""
    from grid_intel.defs.dbt.assets import dbt_reference_assets
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS
    from grid_intel.defs.resources import build_resources
    from grid_intel.stack.dagster import QUIET

    whole = [a for a in ARCHIVE_ASSETS.values() if a.partitions_def is None]
    result = dg.materialize(
        [*whole, dbt_reference_assets],
        instance=instance,
        resources=build_resources(settings),
        run_config=QUIET,
        raise_on_error=False,
    )
    if not result.success:
        raise RuntimeError(
            f"loading the asset registry failed (run {result.run_id}): open the run in the "
            "Dagster UI, fix the registry export under the landing folder and run the demo again"
        )
    return {k for a in (*whole, dbt_reference_assets) for k in a.keys}


def build(
    settings: Settings,
    client: DagsterGraphQL,
    w: Windows,
    out: Narrator,
    loaded: set[dg.AssetKey],
) -> None:
    """The history's backfill, stage by stage, then the recent hours' quality."""
    from grid_intel.definitions import defs
    from grid_intel.demo.plan import demo_plan
    from grid_intel.demo.quality import report_checks
    from grid_intel.demo.stages import StageWatch
    from grid_intel.operations import backfill as bf

    plan = demo_plan(defs.resolve_all_asset_specs(), w, datetime.now(UTC), loaded)
    watch = StageWatch({k.to_user_string() for k in product_keys()})

    def said(statuses: Sequence[dict]) -> None:
        for stage, c in watch.finished(statuses):
            failed = f", {c.failed} failed" if c.failed else ""
            out.stage(stage, f"{c.materialized}/{c.targeted} asset partitions{failed}")

    outcome = bf.run_backfill(
        client,
        plan,
        out.detail,
        description=f"demo: {len(w.days)} days of history and the last hours' products",
        watch=said,
    )
    out.stage(
        "backfill",
        f"{outcome.counts.materialized} asset partitions in {outcome.seconds:.0f} s "
        f"(Overview > Backfills > {outcome.backfill_id})",
    )
    if not outcome.succeeded:
        raise RuntimeError(
            f"the demo's backfill {outcome.backfill_id} ended {outcome.status} with failed "
            f"partitions of {', '.join(outcome.failed_assets) or 'no asset'}: open it in the "
            f"UI (Overview > Backfills), read the failed runs' logs, and see {out.log_path}"
        )
    with dg.DagsterInstance.get() as instance:
        keys = [h.strftime("%Y-%m-%d-%H:%M") for h in w.recent_hours]
        failed = report_checks(instance, keys, lambda m: out.stage("quality", m))
    if any(name.endswith(":row_count_anomaly") for f in failed.values() for name in f):
        out.stage(
            "quality",
            "row_count_anomaly compares an hour with the 24 before it, published at the "
            "reduced scan rate: expected in the demo's full-rate hours",
        )


def hand_over(
    settings: Settings,
    client: DagsterGraphQL,
    stopped: list[Instigator],
    w: Windows,
    out: Narrator,
    seed: int,
) -> None:
    """Topic sensors continue where the history ends (they restart as the pause ends);
    the stream processor and the live simulator start."""
    from grid_intel.demo.handover import cursors_at, set_cursors
    from grid_intel.stack.simulator import LiveSimulator
    from grid_intel.stack.stream import StreamProcessor

    names = set_cursors(client, stopped, cursors_at(settings, w.until))
    out.detail(f"topic sensors continue from {w.until:%H:%M}: {', '.join(names)}")
    StreamProcessor(settings).start(out.detail)
    LiveSimulator(settings, start=w.until, seed=seed).start(out.detail)
    out.stage(
        "live",
        f"sensors and automation running; the simulator streams from {w.until:%H:%M} UTC "
        "and each hour reaches gold minutes after it closes",
    )


def product_keys() -> set[dg.AssetKey]:
    from grid_intel.defs.anomaly import assets as anomaly
    from grid_intel.defs.carbon import assets as carbon
    from grid_intel.defs.forecasting import assets as forecasting
    from grid_intel.defs.health import assets as health
    from grid_intel.defs.market import assets as market

    return {
        k
        for m in (anomaly, carbon, forecasting, health, market)
        for a in m.defs.assets or ()
        for k in getattr(a, "keys", ())
    }


def verify(dashboard: str, out: Narrator) -> None:
    """Every product endpoint and panel source answers with data, or a clear error."""
    from grid_intel.demo.ready import findings, http_get

    found = findings(http_get(dashboard))
    for f in found:
        out.detail(f"ready: {f.name}: {f.detail}")
    missing = [f for f in found if not f.ok]
    if missing:
        raise RuntimeError(
            "the build finished but these have no data: "
            + "; ".join(f"{f.name} ({f.detail})" for f in missing)
            + f". See {out.log_path} and the backfill's runs in the UI"
        )
    out.stage("ready", f"every panel's and product endpoint's data is in ({len(found)} asked)")
