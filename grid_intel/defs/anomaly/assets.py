"""Anomaly detection as hourly assets, and the detectors' daily scorecard.

Thin wiring: the readers live in `grid_intel.anomaly.inputs`, the detectors in
`grid_intel.anomaly`, the scoring in `grid_intel.evaluation.anomalies`. A window is
replaced whole, so a re-run of a partition gives the same rows.
"""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import dagster as dg

from grid_intel.anomaly.tables import (
    BATCH_EVENTS,
    EVALUATION,
    EVENTS,
    FIRST_READING,
    LABELS,
    SCORES,
    STREAM_ALERTS,
)
from grid_intel.asset_metadata import ON_DEMAND
from grid_intel.defs.automation import follows_upstream
from grid_intel.defs.partitions import HOURLY_BACKFILL, daily, hourly, run_hours
from grid_intel.defs.resources import WarehouseResource
from grid_intel.grid.registry import build_registry
from grid_intel.warehouse.writer import replace_window

if TYPE_CHECKING:
    from grid_intel.anomaly.events import Event

EVENTS_KEY = dg.AssetKey(["gold", "anomaly_events"])
SENSOR_READINGS = dg.AssetKey(["bronze", "sensor_readings"])
GRID_FREQUENCY = dg.AssetKey(["bronze", "grid_frequency"])
GRID_ALERTS = dg.AssetKey(["bronze", "grid_alerts"])
WARMUP = timedelta(minutes=10)  # the stream's spike window and the batch's line baseline


@dg.asset(
    key=EVENTS_KEY,
    deps=[SENSOR_READINGS, GRID_FREQUENCY],
    partitions_def=hourly,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:grid-operations"],
    automation_condition=follows_upstream(),
    backfill_policy=HOURLY_BACKFILL,
    description="Anomaly events in each UTC hour from the raw scans and frequency: stuck "
    "sensors, spikes, dropouts, breaker chatter, transformer overheating against the IEEE "
    "C57.91 thermal model, line overload, dissolved-gas rate of rise (C57.104) and "
    "frequency excursions and oscillations; one row per asset, kind and run, with evidence.",
    metadata={"table": EVENTS.qualified, "partition_column": "hour"},
)
def anomaly_events(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from psycopg.types.json import Jsonb

    from grid_intel.anomaly import inputs
    from grid_intel.anomaly.batch import GAS_HOURS, detect_hour

    began = time.perf_counter()
    registry = build_registry()
    points = registry.points
    kinds: Counter[str] = Counter()
    assets: set[str] = set()
    inserted = 0
    with warehouse.connection() as conn:
        previous = None
        for start, end in run_hours(context):  # a backfill run covers several hours
            read = inputs.block(conn, start, end, points)
            if read is None:
                raise dg.Failure(
                    description=f"bronze.sensor_readings holds nothing for "
                    f"{start:%Y-%m-%d %H:00} UTC: materialize bronze/sensor_readings for "
                    "this hour first.",
                )
            block, reported = read
            if previous is None:  # the hour before the run's first
                previous = _scans_before(conn, start, points)
            freq = inputs.frequency(conn, start, end)
            gases = inputs.gas_means(conn, end, GAS_HOURS)
            found = detect_hour(block, points, registry, previous, freq, gases, reported)
            rows = [
                (start, e.asset, e.kind, e.start, e.end, e.severity, e.detected, Jsonb(e.evidence))
                for e in found
            ]
            inserted += replace_window(conn, EVENTS, rows, start, end).inserted
            previous = block
            hour_kinds = Counter(e.kind for e in found)
            kinds.update(hour_kinds)
            assets.update(e.asset for e in found)
            context.log.info(f"anomaly events {start:%Y-%m-%d %H:00}: {dict(hour_kinds)}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": inserted,
            "kinds": dict(kinds),
            "assets_with_events": len(assets),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


@dg.asset(
    key=["gold", "anomaly_scores"],
    deps=[SENSOR_READINGS],
    partitions_def=hourly,
    group_name="gold",
    kinds={"python", "pyod", "postgres"},
    owners=["team:grid-operations"],
    automation_condition=follows_upstream(),
    backfill_policy=HOURLY_BACKFILL,
    description="Anomaly scores per asset and UTC hour within its peer group: PyOD's "
    "Isolation Forest and ECOD on hourly features (transformers, their dissolved gases, "
    "lines, breakers), and EWMA, CUSUM and Western Electric charts on the model residuals "
    "of transformer temperatures (IEEE C57.91) and line loads; rank 1 is the strangest.",
    metadata={"table": SCORES.qualified, "partition_column": "hour"},
)
def anomaly_scores(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    import polars as pl

    from grid_intel.anomaly import inputs
    from grid_intel.anomaly.charts import chart_scores
    from grid_intel.anomaly.multivariate import features, scores

    start, end = context.partition_time_window
    registry = build_registry()
    points = registry.points
    with warehouse.connection() as conn:
        stats = inputs.hourly_stats(conn, start - timedelta(hours=1), end, points)
        scored = scores(features(stats, registry))  # changes from the hour before
        scored = scored.filter(scored["hour"] >= start) if not scored.is_empty() else scored
        previous = None
        for hour, hour_end in run_hours(context):  # the charts judge one hour at a time
            read = inputs.block(conn, hour, hour_end, points)
            if read is None:
                previous = None
                continue
            if previous is None:
                previous = _scans_before(conn, hour, points)
            charts = chart_scores(hour, read[0], points, registry, previous)
            scored = pl.concat([scored, charts.cast(scored.schema)]) if charts.height else scored
            previous = read[0]
        rows = scored.select(
            "hour", "asset", "asset_kind", "group", "detector", "score", "rank", "flag"
        ).iter_rows()
        written = replace_window(conn, SCORES, rows, start, end)
    top = (
        scored.filter(scored["rank"] == 1).select("group", "detector", "asset").to_dicts()
        if not scored.is_empty()
        else []
    )
    flagged = scored.filter(scored["flag"]).group_by("group", "detector").len().to_dicts()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.inserted,
            "strangest": dg.MetadataValue.json(top),
            "flagged": dg.MetadataValue.json(flagged),
        }
    )


def _scans_before(conn, hour: datetime, points) -> object | None:
    """The scans of the hour before `hour` (a line's normal temperature), if loaded."""
    from grid_intel.anomaly import inputs

    before = inputs.block(conn, hour - timedelta(hours=1), hour, points)
    return before[0] if before else None


def _events(rows: list[tuple]) -> "list[Event]":
    from grid_intel.anomaly.events import Event

    return [
        Event(asset, kind, s, e, sev, {"point": point}, detected)
        for asset, kind, s, e, sev, detected, point in rows
    ]


@dg.asset(
    key=["gold", "anomaly_evaluation"],
    deps=[EVENTS_KEY, GRID_ALERTS],
    partitions_def=daily,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:grid-operations"],
    automation_condition=follows_upstream(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="The detectors scored against the simulator's labelled faults for one UTC "
    "day, batch events and stream alerts apart: event-level precision, recall, F1 and "
    "median detection delay per fault kind, false alarms per 100 assets per day (goals: "
    "F1 >= 0.9, <= 1 false alarm per 100 assets a day, stream delay median <= 60 s).",
    metadata={"table": EVALUATION.qualified, "partition_column": "day"},
)
def anomaly_evaluation(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.anomaly.events import Event, Label
    from grid_intel.evaluation.anomalies import GOALS, scorecard

    start, end = context.partition_time_window
    assets = len({p.asset for p in build_registry().points})
    with warehouse.connection() as conn:
        labels = [Label(*r) for r in conn.execute(LABELS, {"start": start, "end": end})]
        if not labels:
            raise dg.Failure(
                description=f"ops.fault_labels has no labelled fault on {start:%Y-%m-%d}: run "
                "the simulator with faults (`grid-intel simulate history --faults all`).",
            )
        batch = _events(conn.execute(BATCH_EVENTS, (start, end)).fetchall())
        alerts = conn.execute(STREAM_ALERTS, (start, end)).fetchall()
        stream = [
            Event(a, k, ts, max(ts, det or ts) + timedelta(seconds=4), 1.0, {"point": p}, det)
            for a, k, ts, det, p in alerts
        ]
        first = conn.execute(FIRST_READING, (start, end)).fetchone()[0] or start
        judged_from = max(start, first + WARMUP)  # a fault begun before any data: precision only
        summary, rows = {}, []
        for path, events in (("batch", batch), ("stream", stream)):
            kinds, f1, false, delay = scorecard(path, events, labels, judged_from, assets, 1.0)
            rows += [(start, *r.__dict__.values()) for r in kinds]
            summary[path] = {
                "f1": f1,
                "false_alarms_per_100_assets_day": false,
                "median_delay_s": delay,
            }
        written = replace_window(conn, EVALUATION, rows, start, end)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.inserted,
            "labelled_faults": len(labels),
            "batch": dg.MetadataValue.json(summary["batch"]),
            "stream": dg.MetadataValue.json(summary["stream"]),
            "goals": dg.MetadataValue.json(GOALS),
        }
    )


class SimulatedWeek(dg.Config):
    days: float = 7.0
    seed: int = 7
    faults_per_day: float = 4.0
    start: str = "2026-01-12T00:00:00+00:00"


@dg.asset(
    key=["gold", "anomaly_evaluation_simulated"],
    group_name="gold",
    tags={ON_DEMAND: "true"},  # a simulated week: hours of work, never part of a backfill
    kinds={"python", "postgres"},
    owners=["team:grid-operations"],
    description="Both detection paths over a simulated span (a week by default) with every "
    "fault kind injected, scored per fault kind against the simulator's labels: the batch "
    "path through the hourly asset's detect_hour, the stream path through the processor's "
    "partition states. Materialize it to re-measure the detectors after a change.",
    metadata={"table": "gold.anomaly_evaluation_simulated"},
)
def anomaly_evaluation_simulated(
    context: dg.AssetExecutionContext, config: SimulatedWeek, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.evaluation.anomalies import run

    start = datetime.fromisoformat(config.start).astimezone(UTC)
    end = start + timedelta(days=config.days)
    ev = run(
        config.seed, start, end, faults_per_day=config.faults_per_day, progress=context.log.info
    )
    at = datetime.now(UTC)
    span = (at, config.seed, start, end, config.faults_per_day)
    with warehouse.connection() as conn, conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "insert into gold.anomaly_evaluation_simulated values"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(*span, *r.__dict__.values()) for r in ev.rows],
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(ev.rows),
            "days": config.days,
            "f1": dg.MetadataValue.json(ev.f1),
            "false_alarms_per_100_assets_day": dg.MetadataValue.json(
                ev.false_alarms_per_100_assets_day
            ),
            "median_delay_s": dg.MetadataValue.json(ev.median_delay_s),
            "goals_met": dg.MetadataValue.json(ev.meets_goals()),
            "per_kind": dg.MetadataValue.md(ev.markdown()),
            "seconds": ev.seconds,
        }
    )


defs = dg.Definitions(
    assets=[anomaly_events, anomaly_scores, anomaly_evaluation, anomaly_evaluation_simulated]
)
