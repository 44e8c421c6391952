"""What the signals would have earned, against price-blind and persistence strategies.

An hour's P&L is net export x (actual LMP - marginal cost): an export earns the
price but spends water (or fuel) worth its cost; an import pays the price but
saves it. Every strategy trades the same hours within the same physical headroom,
so the difference is the decision alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from grid_intel.market.costs import CostAssumptions, water_value
from grid_intel.market.signals import SignalRule, export_blocks, signals

NAIVES = ("always_export", "persistence")
PERSISTENCE_WINDOW_DAYS = 7  # days of day-over-day errors that set persistence's quantiles


@dataclass(frozen=True)
class BacktestResult:
    """Realized value of the signals and of each naive strategy on the same hours."""

    hours: int
    pnl_usd: float
    hit_rate: float  # share of traded hours that made money
    traded_hours: int
    naive_pnl_usd: dict[str, float]
    naive_hit_rate: dict[str, float]
    value_over_naive_usd: dict[str, float]
    ratio: dict[str, float | None]  # pnl / naive pnl; None when the naive made nothing
    daily: pl.DataFrame  # date, signal and one column per naive, $ per day
    volumes: dict[str, tuple[float, float]]  # strategy -> (export MWh, import MWh)

    def strategy_rows(self) -> list[tuple[str, float, float, float, float]]:
        """(strategy, P&L $, export MWh, import MWh, hit rate): the signals first."""
        pnl = {"signal": self.pnl_usd, **self.naive_pnl_usd}
        hit = {"signal": self.hit_rate, **self.naive_hit_rate}
        return [(n, pnl[n], *self.volumes[n], hit[n]) for n in ("signal", *NAIVES)]

    def as_metadata(self) -> dict[str, float | int]:
        """Plain numbers for Dagster metadata (ratios only where defined)."""
        out: dict[str, float | int] = {
            "hours": self.hours,
            "traded_hours": self.traded_hours,
            "pnl_usd": round(self.pnl_usd, 2),
            "hit_rate": round(self.hit_rate, 4),
        }
        for name in NAIVES:
            out[f"{name}_pnl_usd"] = round(self.naive_pnl_usd[name], 2)
            out[f"{name}_hit_rate"] = round(self.naive_hit_rate[name], 4)
            out[f"value_over_{name}_usd"] = round(self.value_over_naive_usd[name], 2)
            if self.ratio[name] is not None:
                out[f"ratio_to_{name}"] = round(self.ratio[name], 4)
        return out


def hourly_pnl(trades: pl.DataFrame, actual_lmp: pl.DataFrame) -> pl.DataFrame:
    """`trades` (hour, net_export_mw, marginal_cost) with `lmp` and `pnl_usd` per hour."""
    return (
        trades.select("hour", "net_export_mw", "marginal_cost")
        .join(actual_lmp.select("hour", "lmp"), on="hour", how="left")
        .with_columns(
            pnl_usd=pl.when(pl.col("net_export_mw") != 0)
            .then(pl.col("net_export_mw") * (pl.col("lmp") - pl.col("marginal_cost")))
            .otherwise(0.0)
        )
    )


def always_export(hours: pl.DataFrame, a: CostAssumptions) -> pl.DataFrame:
    """The price-blind strategy: export all headroom every hour, whatever the price."""
    wv = water_value(hours["storage"].to_numpy(), hours["day_of_year"].to_numpy(), a)
    mw, cost = export_blocks(
        hours["load_mw"].to_numpy(),
        hours["hydro_available_mw"].to_numpy(),
        hours["wind_mw"].to_numpy(),
        wv,
        a,
    )
    total = mw.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(total > 0, (mw * cost).sum(axis=1) / total, 0.0)
    return hours.select("hour").with_columns(
        net_export_mw=pl.Series(total), marginal_cost=pl.Series(avg)
    )


def persistence_forecast(actual_lmp: pl.DataFrame, hours: pl.Series) -> pl.DataFrame:
    """Yesterday's same-hour price as p50; p10/p90 from the day-over-day errors of the
    PERSISTENCE_WINDOW_DAYS before each hour's day (known at its 00:00 UTC issue)."""
    prices = actual_lmp.select("hour", "lmp").sort("hour")
    errors = prices.join(
        prices.select(pl.col("hour") + timedelta(days=1), pl.col("lmp").alias("prior")),
        on="hour",
    ).select("hour", err=pl.col("lmp") - pl.col("prior"))
    frame = pl.DataFrame({"hour": hours}).join(
        prices.select(pl.col("hour") + timedelta(days=1), pl.col("lmp").alias("lmp_p50")),
        on="hour",
        how="left",
    )
    bands = {}
    for day in frame["hour"].dt.truncate("1d").unique().to_list():
        window = errors.filter(
            pl.col("hour") >= day - timedelta(days=PERSISTENCE_WINDOW_DAYS), pl.col("hour") < day
        )["err"].to_numpy()
        bands[day] = np.quantile(window, [0.1, 0.9]) if window.size >= 24 else (np.nan, np.nan)
    lo = [bands[d][0] for d in frame["hour"].dt.truncate("1d")]
    hi = [bands[d][1] for d in frame["hour"].dt.truncate("1d")]
    return frame.with_columns(
        lmp_p10=pl.col("lmp_p50") + pl.Series(lo, dtype=pl.Float64),
        lmp_p90=pl.col("lmp_p50") + pl.Series(hi, dtype=pl.Float64),
    )


def _score(pnl: pl.DataFrame) -> tuple[float, float, int]:
    traded = pnl.filter(pl.col("net_export_mw") != 0)
    hit = float((traded["pnl_usd"] > 0).mean()) if traded.height else 0.0
    return float(pnl["pnl_usd"].sum()), hit, traded.height


def backtest(
    signal_frame: pl.DataFrame,
    actual_lmp: pl.DataFrame,
    assumptions: CostAssumptions | None = None,
    rule: SignalRule | None = None,
) -> BacktestResult:
    """Score `signals()` output against `actual_lmp` (hour, lmp), with the naive
    strategies on the same hours. `actual_lmp` may start earlier than the signals:
    persistence needs the day before (hours without it hold)."""
    a = assumptions or CostAssumptions()
    forecast_cols = ("lmp_p10", "lmp_p50", "lmp_p90")
    inputs = signal_frame.drop(
        "water_value",
        "action",
        "quantity_mw",
        "net_export_mw",
        "marginal_cost",
        "expected_value_usd",
        "confidence",
        "reason",
        *forecast_cols,
    )
    persisted = persistence_forecast(actual_lmp, inputs["hour"])
    strategies = {
        "signal": signal_frame,
        "always_export": always_export(inputs, a),
        "persistence": signals(inputs.join(persisted, on="hour", how="left"), a, rule),
    }
    pnl = {name: hourly_pnl(t, actual_lmp) for name, t in strategies.items()}
    missing = pnl["signal"]["lmp"].null_count()
    if missing:
        raise ValueError(f"actual_lmp lacks {missing} of the signals' hours")
    scores = {name: _score(p) for name, p in pnl.items()}
    total, hit, traded = scores["signal"]
    naive = {n: scores[n][0] for n in NAIVES}
    daily = pl.concat(
        [
            p.group_by(pl.col("hour").dt.date().alias("date")).agg(pl.col("pnl_usd").sum().alias(n))
            for n, p in pnl.items()
        ],
        how="align",
    ).sort("date")
    return BacktestResult(
        hours=signal_frame.height,
        pnl_usd=total,
        hit_rate=hit,
        traded_hours=traded,
        naive_pnl_usd=naive,
        naive_hit_rate={n: scores[n][1] for n in NAIVES},
        value_over_naive_usd={n: total - naive[n] for n in NAIVES},
        ratio={n: total / naive[n] if naive[n] > 0 else None for n in NAIVES},
        daily=daily,
        volumes={
            n: (
                float(p["net_export_mw"].clip(lower_bound=0).sum()),
                float(-p["net_export_mw"].clip(upper_bound=0).sum()),
            )
            for n, p in pnl.items()
        },
    )
