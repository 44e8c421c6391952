"""An independent polars computation of the silver and gold results, from the same
bronze rows, registry and archives the dbt project reads; the tests compare the two."""

from __future__ import annotations

import csv
from datetime import datetime

import polars as pl

from grid_intel.grid.registry import Registry
from grid_intel.settings import project_root
from grid_intel.simulation.customers import customers_by_substation

HOUR = "1h"


def _seed(name: str) -> list[dict[str, str]]:
    with (project_root() / "grid_intel_dbt" / "seeds" / f"{name}.csv").open() as f:
        return list(csv.DictReader(f))


def points(registry: Registry, raw_units: dict[str, str]) -> pl.DataFrame:
    """The point list with range, scan interval, step rule, and how to convert what the
    RTU sends (`raw_units` names points not reported in their canonical unit)."""
    rules = {r["measurement"]: r for r in _seed("measurement_rules")}
    units = {r["unit"]: r for r in _seed("unit_conversions")}
    rtus = {r.id: r for r in registry.rtus}
    rows = []
    for p in registry.points:
        rule = rules.get(p.measurement)
        unit = units[raw_units.get(p.id, p.unit)]
        rows.append(
            {
                "point_id": p.id,
                "asset": p.asset,
                "asset_kind": p.asset_kind,
                "measurement": p.measurement,
                "low": p.low,
                "high": p.high,
                "scan_interval_s": rtus[p.rtu].scan_interval_s,
                "max_step_abs": float(rule["max_step_abs"]) if rule else None,
                "max_step_rel": float(rule["max_step_rel"]) if rule else None,
                "factor": float(unit["factor"]),
                "add_offset": float(unit["add_offset"]),
            }
        )
    return pl.DataFrame(rows)


def validated(bronze: pl.DataFrame, registry: Registry, raw_units: dict[str, str]) -> pl.DataFrame:
    """bronze.sensor_readings rows → readings in canonical units with quality codes
    (the latest copy per point and ts)."""
    latest = (
        bronze.sort(["point_id", "ts", "kafka_partition", "kafka_offset"])
        .group_by(["point_id", "ts"], maintain_order=True)
        .agg(pl.all().last(), pl.len().alias("copies"))
    )
    out = (
        latest.join(points(registry, raw_units), on="point_id", how="left")
        .with_columns(pl.col("value") * pl.col("factor") + pl.col("add_offset"))
        .sort(["point_id", "ts"])
    )
    previous = pl.col("value").shift(1).over("point_id")
    unknown = pl.col("asset").is_null()
    source_bad = pl.col("value").is_null() | (pl.col("quality").fill_null("good") != "good")
    ok = ~unknown & ~source_bad
    out_of_range = ok & ((pl.col("value") < pl.col("low")) | (pl.col("value") > pl.col("high")))
    spike = (
        ok
        & previous.is_not_null()
        & pl.col("max_step_abs").is_not_null()
        & (
            (pl.col("value") - previous).abs()
            > pl.col("max_step_abs") + pl.col("max_step_rel") * previous.abs()
        )
    )
    return out.with_columns(
        pl.when(unknown)
        .then(pl.lit("bad_unknown_point"))
        .when(source_bad)
        .then(pl.lit("bad_source"))
        .when(out_of_range.fill_null(False))
        .then(pl.lit("bad_out_of_range"))
        .when(spike.fill_null(False))
        .then(pl.lit("uncertain_spike"))
        .otherwise(pl.lit("good"))
        .alias("quality_code")
    )


def gap_fill(
    readings: pl.DataFrame, start: datetime, end: datetime, limit_min: int
) -> pl.DataFrame:
    """interpolated_gaps: per point that reported in [start, end), one row per minute."""
    good = readings.filter(pl.col("quality_code") == "good")
    measured = good.group_by("point_id", pl.col("ts").dt.truncate("1m").alias("minute")).agg(
        pl.col("value").mean().alias("measured")
    )
    seen = readings.filter((pl.col("ts") >= start) & (pl.col("ts") < end))["point_id"].unique()
    grid_points = measured["point_id"].unique()
    minutes = pl.datetime_range(start, end, "1m", closed="left", eager=True, time_zone="UTC")
    grid = pl.DataFrame({"point_id": grid_points}).join(
        pl.DataFrame({"minute": minutes}), how="cross"
    )
    out = (
        grid.join(measured, on=["point_id", "minute"], how="left")
        .sort(["point_id", "minute"])
        .with_columns(
            pl.when(pl.col("measured").is_not_null())
            .then(pl.col("minute"))
            .forward_fill()
            .over("point_id")
            .alias("last_measured"),
            pl.col("measured").forward_fill().over("point_id").alias("carried"),
        )
    )
    since = (pl.col("minute") - pl.col("last_measured")).dt.total_minutes()
    return (
        out.filter(pl.col("point_id").is_in(seen.implode()))
        .with_columns(
            pl.when(pl.col("measured").is_not_null())
            .then(pl.lit("measured"))
            .when(since <= limit_min)
            .then(pl.lit("carried_forward"))
            .otherwise(pl.lit("gap"))
            .alias("fill")
        )
        .with_columns(
            pl.when(pl.col("fill") == "measured")
            .then(pl.col("measured"))
            .when(pl.col("fill") == "carried_forward")
            .then(pl.col("carried"))
            .alias("value")
        )
        .select("point_id", "minute", "value", "fill")
    )


def station_stats(readings: pl.DataFrame) -> pl.DataFrame:
    good = pl.col("quality_code") == "good"
    v = pl.col("value").filter(good)
    return (
        readings.filter(pl.col("asset").is_not_null())
        .group_by(
            pl.col("ts").dt.truncate(HOUR).alias("hour"),
            "point_id",
            "asset",
            "asset_kind",
            "measurement",
            "scan_interval_s",
        )
        .agg(
            v.min().alias("min_value"),
            v.max().alias("max_value"),
            v.mean().alias("mean_value"),
            v.quantile(0.95, interpolation="linear").alias("p95_value"),
            good.sum().alias("readings"),
            pl.len().alias("readings_received"),
        )
        .with_columns(
            pl.min_horizontal(
                pl.lit(1.0), pl.col("readings") / (3600 / pl.col("scan_interval_s"))
            ).alias("availability")
        )
    )


def demand(stats: pl.DataFrame) -> pl.DataFrame:
    return stats.filter(pl.col("asset_kind") == "region").select(
        "hour", pl.col("asset").alias("region"), pl.col("mean_value").alias("demand_mw")
    )


def generation_mix(stats: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    fuel = pl.DataFrame(
        {"asset": [s.id for s in registry.stations], "fuel": [s.fuel for s in registry.stations]}
    )
    by_fuel = (
        stats.filter(pl.col("asset_kind") == "station")
        .join(fuel, on="asset")
        .group_by("hour", "fuel")
        .agg(pl.col("mean_value").sum().alias("generation_mw"))
    )
    return by_fuel.with_columns(
        (100 * pl.col("generation_mw") / pl.col("generation_mw").sum().over("hour")).alias(
            "share_pct"
        )
    )


def interchange(readings: pl.DataFrame) -> pl.DataFrame:
    return (
        readings.filter((pl.col("asset_kind") == "intertie") & (pl.col("quality_code") == "good"))
        .group_by(pl.col("ts").dt.truncate(HOUR).alias("hour"), pl.col("asset").alias("intertie"))
        .agg(pl.col("value").mean().alias("net_export_mw"), pl.len().alias("readings"))
    )


def prices(lmp: pl.DataFrame, start: datetime, end: datetime) -> pl.DataFrame:
    """prices_hourly from MISO's files (read with grid_intel.market.read_miso_lmp)."""
    rows = lmp.filter(
        pl.col("Location").is_in(["MHEB", "MINN.HUB"])
        & (pl.col("Interval Start") >= start)
        & (pl.col("Interval Start") < end)
    )
    da = pl.col("Market") == "DAY_AHEAD_HOURLY"
    return rows.group_by(
        pl.col("Interval Start").dt.truncate(HOUR).alias("hour"),
        pl.col("Location").alias("location"),
    ).agg(
        pl.col("LMP").filter(da).mean().alias("da_lmp"),
        pl.col("LMP").filter(~da).mean().alias("rt_lmp"),
        (~da).sum().alias("rt_intervals"),
    )


def reliability(outages: pl.DataFrame, registry: Registry, day: datetime) -> pl.DataFrame:
    """reliability_daily for one day from the OMS export (read with the archive reader)."""
    region_of = {s.id: s.region for s in registry.substations}
    served: dict[str, int] = {}
    for sub, n in customers_by_substation(registry).items():
        served[region_of[sub]] = served.get(region_of[sub], 0) + n
    served["MB"] = sum(v for k, v in served.items())
    rows = []
    for region, customers in served.items():
        mine = outages if region == "MB" else outages.filter(pl.col("region") == region)
        sustained = mine.filter(pl.col("duration_min") >= 5)
        momentary = mine.filter(pl.col("duration_min") < 5)
        ci, cm = (
            float(sustained["customers_affected"].sum()),
            float(sustained["customer_minutes"].sum()),
        )
        rows.append(
            {
                "day": day,
                "region": region,
                "customers_served": customers,
                "saifi": ci / customers,
                "saidi_minutes": cm / customers,
                "caidi_minutes": cm / ci if ci else None,
                "maifi": float(momentary["customers_affected"].sum()) / customers,
            }
        )
    return pl.DataFrame(rows)


def capacity_factor(stats: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    cap = pl.DataFrame(
        {
            "station": [s.id for s in registry.stations],
            "capacity_mw": [float(s.capacity_mw) for s in registry.stations],
        }
    )
    return (
        stats.filter((pl.col("asset_kind") == "station") & pl.col("mean_value").is_not_null())
        .group_by(pl.col("hour").dt.truncate("1d").alias("day"), pl.col("asset").alias("station"))
        .agg(pl.col("mean_value").sum().alias("energy_mwh"), pl.len().alias("hours_reported"))
        .join(cap, on="station")
        .with_columns(
            (pl.col("energy_mwh") / (pl.col("capacity_mw") * pl.col("hours_reported"))).alias(
                "capacity_factor"
            )
        )
    )


def peak_demand(demand_hourly: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    capacity = sum(s.capacity_mw for s in registry.stations if s.grid_connected)
    province = demand_hourly.group_by("hour").agg(pl.col("demand_mw").sum())
    return (
        province.group_by(pl.col("hour").dt.truncate("1d").alias("day"))
        .agg(pl.col("demand_mw").max().alias("peak_demand_mw"))
        .with_columns(
            (100 * (capacity - pl.col("peak_demand_mw")) / pl.col("peak_demand_mw")).alias(
                "reserve_margin_pct"
            )
        )
    )


def export_revenue(interchange_hourly: pl.DataFrame, prices_hourly: pl.DataFrame) -> pl.DataFrame:
    miso = interchange_hourly.filter(pl.col("intertie") == "tie_miso").join(
        prices_hourly.filter(pl.col("location") == "MHEB"), on="hour", how="left"
    )
    return miso.group_by(pl.col("hour").dt.truncate("1d").alias("day")).agg(
        pl.col("net_export_mw").clip(lower_bound=0).sum().alias("export_mwh"),
        (pl.col("net_export_mw") * pl.col("da_lmp")).sum().alias("revenue_proxy_usd"),
    )
