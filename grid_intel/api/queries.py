"""The read endpoints' SQL and the pure rules around it: time windows, pagination,
quantile choice and the shaping of rows into response bodies.

Every statement takes its values as bind parameters; nothing a client sends is ever
formatted into SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from grid_intel.forecasting.demand import HORIZONS as FORECAST_HORIZONS
from grid_intel.forecasting.demand import SYSTEM
from grid_intel.grid.regions import REGIONS

REGION_IDS: tuple[str, ...] = (SYSTEM, *(r.id for r in REGIONS))
HORIZONS: tuple[str, ...] = tuple(h.name for h in FORECAST_HORIZONS)
# How far ahead each horizon forecasts: its last target's lead.
HORIZON_LEADS = {h.name: h.step * h.steps for h in FORECAST_HORIZONS}
NODES: tuple[str, ...] = ("MHEB", "MINN.HUB")
DAY_AHEAD, REAL_TIME = "DAY_AHEAD_HOURLY", "REAL_TIME_5_MIN"
# The quantiles gold stores, by the name they carry in responses.
QUANTILES: dict[float, str] = {0.1: "p10", 0.5: "p50", 0.9: "p90"}
DAY = timedelta(days=1)

DEFAULT_SPAN = timedelta(hours=24)
MAX_SPAN = timedelta(days=31)
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
MAX_OFFSET = 1_000_000_000
HISTORY_DAYS, MAX_HISTORY_DAYS = 30, 366
ASSET_ID = r"^[a-z0-9_.-]{1,64}$"
KIND = r"^[a-z_]{1,40}$"


class InvalidParameter(ValueError):
    """A query parameter that parsed but makes no sense; `field` names it for the 422."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def time_window(
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    *,
    default: timedelta = DEFAULT_SPAN,
    max_span: timedelta = MAX_SPAN,
) -> tuple[datetime, datetime]:
    """The UTC half-open window [start, end) a request asks for: end defaults to now,
    start to `default` before end; both need a timezone, end must follow start and the
    span is capped so one request cannot scan the whole history."""
    for field, value in (("start", start), ("end", end)):
        if value is not None and value.utcoffset() is None:
            raise InvalidParameter(field, f"{field} needs a timezone (e.g. 2025-01-01T00:00:00Z)")
    try:
        hi = (end if end is not None else now).astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidParameter("end", "end is out of range") from exc
    try:
        lo = start.astimezone(UTC) if start is not None else hi - default
    except (OverflowError, ValueError) as exc:
        field = "start" if start is not None else "end"
        raise InvalidParameter(field, f"{field} is out of range") from exc
    if hi <= lo:
        raise InvalidParameter("end", "end must be after start")
    if hi - lo > max_span:
        days = max_span.total_seconds() / 86400
        raise InvalidParameter("end", f"the span from start to end is at most {days:g} days")
    return lo, hi


def quantiles(text: str | None) -> tuple[str, ...]:
    """The stored quantile columns a comma-separated list asks for (all when None),
    in p10, p50, p90 order."""
    if text is None:
        return tuple(QUANTILES.values())
    wanted = set()
    for part in text.split(","):
        try:
            q = float(part.strip())
        except ValueError:
            raise InvalidParameter("quantiles", f"{part.strip()!r} is not a number") from None
        if q not in QUANTILES:
            known = ", ".join(f"{k:g}" for k in QUANTILES)
            raise InvalidParameter(
                "quantiles", f"{part.strip()} is not stored; choose from {known}"
            )
        wanted.add(QUANTILES[q])
    return tuple(name for name in QUANTILES.values() if name in wanted)


def page(
    rows: Sequence[Mapping[str, Any]], limit: int, offset: int
) -> tuple[list[Mapping[str, Any]], int | None]:
    """Rows fetched with `limit + 1` cut to the page, and the next page's offset (None
    on the last page): the extra row says whether there is more without a count(*)."""
    return list(rows[:limit]), offset + limit if len(rows) > limit else None


def forecast_items(rows: Sequence[Mapping[str, Any]], wanted: Sequence[str]) -> list[dict]:
    """Forecast rows as items holding yhat and only the quantiles asked for."""
    return [{"ts": r["ts"], "yhat": r["yhat"], **{q: r[f"yhat_{q}"] for q in wanted}} for r in rows]


def issued_items(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Forecast rows as issued: the point, all quantiles, and which issue and model."""
    keep = ("ts", "yhat", "issued_at", "model")
    return [
        {**{k: r[k] for k in keep}, **{q: r[f"yhat_{q}"] for q in QUANTILES.values()}} for r in rows
    ]


def accuracy_by_horizon(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per horizon, the window's MAPE, MAE and p10-p90 coverage over every scored point
    (days weighted by their points), and each day's MAPE, in horizon order."""
    out = []
    for horizon in HORIZONS:
        days = [r for r in rows if r["horizon"] == horizon]
        points = sum(r["points"] for r in days)
        if not points:
            continue
        scored = [r for r in days if r["mape_pct"] is not None]
        scored_points = sum(r["points"] for r in scored)

        def mean(key: str, of: Sequence[Mapping[str, Any]], n: int) -> float | None:
            return sum(r[key] * r["points"] for r in of) / n if n else None

        out.append(
            {
                "horizon": horizon,
                "points": points,
                "mape_pct": mean("mape_pct", scored, scored_points),
                "mae_mw": mean("mae_mw", days, points),
                "coverage": mean("coverage", days, points),
                "daily": [
                    {"day": r["day"], "points": r["points"], "mape_pct": r["mape_pct"]}
                    for r in days
                ],
            }
        )
    return out


def price_interval(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    keys = ("interval_start", "interval_end", "lmp", "energy", "congestion", "loss")
    return {k: row[k] for k in keys}


def current_prices(node: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The day-ahead and real-time intervals in effect, either null when not priced."""
    by_market = {r["market"]: r for r in rows}
    return {
        "node": node,
        "day_ahead": price_interval(by_market.get(DAY_AHEAD)),
        "real_time": price_interval(by_market.get(REAL_TIME)),
    }


def equipment_detail(asset: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """One asset's newest assessment in full and its recent health index, newest first;
    None when the asset was never assessed."""
    if not rows:
        return None
    latest = rows[0]
    keep = ("day", "health_index", "band", "failure_probability", "rul_years")
    return {
        "asset": asset,
        "asset_kind": latest["asset_kind"],
        "substation": latest["substation"],
        "region": latest["region"],
        "latest": {k: latest[k] for k in latest if k not in ("asset_kind", "substation", "region")},
        "history": [{k: r[k] for k in keep} for r in rows],
    }


def newest(*stamps: datetime | None) -> datetime | None:
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


# -- SQL ---------------------------------------------------------------------------

DEMAND_FORECAST = """
select ts, yhat, yhat_p10, yhat_p50, yhat_p90, model, issued_at
from gold.demand_forecasts
where region = %(region)s and horizon = %(horizon)s
  and issued_at = (
    select max(issued_at) from gold.demand_forecasts
    where region = %(region)s and horizon = %(horizon)s
  )
order by ts
"""

# Each target time in the window as it was forecast at least `lead` before it: the
# freshest such issue, so a 24 h band is the day-ahead forecast the actuals meet.
DEMAND_FORECAST_ISSUED = """
select distinct on (ts) ts, yhat, yhat_p10, yhat_p50, yhat_p90, model, issued_at
from gold.demand_forecasts
where region = %(region)s and horizon = %(horizon)s and ts >= %(start)s and ts < %(end)s
  and issued_at <= ts - %(lead)s
order by ts, issued_at desc
"""

# Per day and horizon, every model's scored targets pooled (weighted by their points).
FORECAST_ACCURACY = """
select day, horizon, sum(points)::int as points,
       sum(points * mape_pct) / nullif(sum(points) filter (where mape_pct is not null), 0)
           as mape_pct,
       sum(points * mae) / sum(points) as mae_mw,
       sum(points * coverage) / sum(points) as coverage
from gold.forecast_accuracy
where region = %(region)s and day >= %(start)s and day < %(end)s and points > 0
group by day, horizon
order by horizon, day
"""

DEMAND_ACTUAL_REGION = """
select hour, demand_mw from gold.demand_hourly
where region = %(region)s and hour >= %(start)s and hour < %(end)s
order by hour
"""

# The system total is the sum of the load regions; an hour counts once it has any.
DEMAND_ACTUAL_SYSTEM = """
select hour, sum(demand_mw) as demand_mw from gold.demand_hourly
where hour >= %(start)s and hour < %(end)s and demand_mw is not null
group by hour
order by hour
"""

EQUIPMENT_HEATMAP = """
select day, asset, asset_kind, region, health_index, band, change_1d, fleet_percentile
from gold.equipment_health_heatmap
where day = (select max(day) from gold.equipment_health_heatmap)
  and (%(kind)s::text is null or asset_kind = %(kind)s)
order by health_index, asset
limit %(limit)s offset %(offset)s
"""

# One statement for the hot path; wants an index on (asset, day desc).
EQUIPMENT_ASSET = """
select day, asset_kind, substation, region, health_index, band, worst_factor,
       cnaim_health_score, failure_probability, rul_years, rul_low_years, rul_high_years,
       factors, diagnosis
from gold.equipment_health
where asset = %(asset)s
order by day desc
limit %(days)s
"""

# The interval in effect per market: the newest that has started (day-ahead prices
# are published for tomorrow). Two index probes; wants (location, market, interval_start).
PRICES_CURRENT = """
(select market, interval_start, interval_end, lmp, energy, congestion, loss
 from silver.market_prices
 where location = %(node)s and market = 'DAY_AHEAD_HOURLY' and interval_start <= %(now)s
 order by interval_start desc limit 1)
union all
(select market, interval_start, interval_end, lmp, energy, congestion, loss
 from silver.market_prices
 where location = %(node)s and market = 'REAL_TIME_5_MIN' and interval_start <= %(now)s
 order by interval_start desc limit 1)
"""

PRICE_SIGNALS = """
select issued_at, hour, location, action, quantity_mw, lmp_p10, lmp_p50, lmp_p90,
       marginal_cost, expected_value_usd, confidence, load_mw, load_source, reason
from gold.price_signals
where issued_at = (select max(issued_at) from gold.price_signals)
order by hour
"""

CARBON_INTENSITY = """
select hour, production_g_kwh, consumption_g_kwh, generation_mwh, imports_mwh,
       exports_mwh, emissions_t
from gold.carbon_intensity
where hour >= %(start)s and hour < %(end)s
order by hour
"""

CARBON_FORECAST = """
select issued_at, model, ts, yhat, yhat_p10, yhat_p50, yhat_p90
from gold.carbon_forecast
where issued_at = (select max(issued_at) from gold.carbon_forecast)
order by ts
"""

GENERATION_MIX = """
select hour, fuel, generation_mw, stations, share_pct
from gold.generation_mix_hourly
where hour >= %(start)s and hour < %(end)s
order by hour, fuel
"""

ANOMALIES = """
select hour, asset, kind, start_ts, end_ts, severity, detected_at, evidence
from gold.anomaly_events
where start_ts >= %(start)s and start_ts < %(end)s
  and (%(asset)s::text is null or asset = %(asset)s)
  and (%(kind)s::text is null or kind = %(kind)s)
order by start_ts desc, asset, kind
limit %(limit)s offset %(offset)s
"""

# Grid status: each from its own table, so one not built yet leaves only its fields null.
LIVE_FREQUENCY = """
select window_start + interval '1 minute' as at, avg(mean) as frequency_hz
from gold.live_aggregates
where source = 'grid.frequency' and measure = 'hz'
  and window_start = (
    select max(window_start) from gold.live_aggregates
    where source = 'grid.frequency' and measure = 'hz'
  )
group by window_start
"""

CLEAN_FREQUENCY = """
select ts as at, avg(frequency_hz) as frequency_hz
from silver.clean_frequency
where ts = (select max(ts) from silver.clean_frequency)
group by ts
"""

NEWEST_DEMAND = """
select hour, sum(demand_mw) as demand_mw from gold.demand_hourly
where hour = (select max(hour) from gold.demand_hourly)
group by hour
"""

GENERATION_AT = """
select sum(generation_mw) as generation_mw from gold.generation_mix_hourly
where hour = %(hour)s having count(*) > 0
"""

NET_EXPORT_AT = """
select sum(net_export_mw) as net_export_mw from gold.interchange_hourly
where hour = %(hour)s having count(*) > 0
"""
