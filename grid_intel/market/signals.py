"""Hourly buy/sell signals against MISO: export, import or hold, how much, and why.

The trade walks the supply curve block by block. An export block (spare must-run
water or wind at $0, then spare flexible hydro at the water value) is sold when the
price forecast says P(LMP > cost + margin) ≥ threshold; a domestic block serving
load (Brandon, then flexible hydro down to must-run) is displaced by imports when
P(LMP < cost - margin) ≥ threshold. The price is read as a normal through the
forecast's p10/p50/p90. Quantities are whole blocks within the MHEB-MISO tie's
limits, so every MW traded traces to one block and one probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.special import ndtr

from grid_intel.market.costs import (
    MISO_EXPORT_MW,
    MISO_IMPORT_MW,
    CostAssumptions,
    marginal_cost,
    reservoir_state,
    thermal_cost,
    water_value,
)

Z_P10_P90 = 2.563  # p90 - p10 of a normal in standard deviations (2 x 1.2816)
MIN_SIGMA = 1e-6  # $/MWh: a degenerate forecast (p10 = p90) is read as certain
INPUT_COLUMNS = (
    "hour",
    "lmp_p10",
    "lmp_p50",
    "lmp_p90",
    "load_mw",
    "hydro_available_mw",
    "wind_mw",
)


@dataclass(frozen=True)
class SignalRule:
    """When to trade. `threshold` above one half means an export needs p50 above cost plus
    margin, and `price_floor` blocks exports at near-zero or negative prices outright."""

    margin: float = 1.0  # $/MWh the price must clear the block's cost by
    threshold: float = 0.6  # probability the block must be in the money by the margin
    price_floor: float = 2.0  # $/MWh: no export while p50 is below it

    def __post_init__(self) -> None:
        if not 0.5 < self.threshold < 1.0:
            raise ValueError(f"threshold must lie in (0.5, 1), got {self.threshold}")
        if self.margin < 0:
            raise ValueError(f"margin must be non-negative, got {self.margin}")


def sigma(p10: np.ndarray, p90: np.ndarray) -> np.ndarray:
    """Standard deviation of the normal whose 10th and 90th percentiles these are."""
    return np.maximum((np.asarray(p90) - np.asarray(p10)) / Z_P10_P90, MIN_SIGMA)


def prob_above(
    price: np.ndarray | float, p10: np.ndarray, p50: np.ndarray, p90: np.ndarray
) -> np.ndarray:
    """P(LMP > price) under the forecast."""
    return ndtr((np.asarray(p50) - np.asarray(price)) / sigma(p10, p90))


def prob_below(
    price: np.ndarray | float, p10: np.ndarray, p50: np.ndarray, p90: np.ndarray
) -> np.ndarray:
    """P(LMP < price) under the forecast."""
    return 1.0 - prob_above(price, p10, p50, p90)


def _capped(mw: np.ndarray, cap: float) -> np.ndarray:
    """Blocks (hours x blocks, in trading order) trimmed so their sum stays within `cap`."""
    before = np.cumsum(mw, axis=1) - mw
    return np.clip(cap - before, 0.0, mw)


def _hour_balance(
    load_mw: np.ndarray, hydro_available_mw: np.ndarray, wind_mw: np.ndarray, a: CostAssumptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load, hydro available, wind and the must-run hydro within it, as float arrays."""
    load, hydro, wind = (np.asarray(x, dtype=float) for x in (load_mw, hydro_available_mw, wind_mw))
    return load, hydro, wind, a.must_run_share * hydro


def export_blocks(
    load_mw: np.ndarray,
    hydro_available_mw: np.ndarray,
    wind_mw: np.ndarray,
    water_value: np.ndarray,
    a: CostAssumptions,
) -> tuple[np.ndarray, np.ndarray]:
    """(mw, cost), hours x 2, cheapest first: spare free energy (wind and must-run hydro
    beyond load, else spilled) then spare flexible hydro; in all ≤ hydro + wind - load
    and ≤ the tie's export capability. Brandon is never run for export."""
    load, hydro, wind, must_run = _hour_balance(load_mw, hydro_available_mw, wind_mw, a)
    spare_free = np.clip(wind + must_run - load, 0.0, None)
    flexible_used = np.clip(load - wind - must_run, 0.0, hydro - must_run)
    spare_flexible = hydro - must_run - flexible_used
    mw = _capped(np.stack([spare_free, spare_flexible], axis=1), MISO_EXPORT_MW)
    cost = np.stack([np.zeros_like(load), np.broadcast_to(water_value, load.shape)], axis=1)
    return mw, cost


def import_blocks(
    load_mw: np.ndarray,
    hydro_available_mw: np.ndarray,
    wind_mw: np.ndarray,
    water_value: np.ndarray,
    a: CostAssumptions,
) -> tuple[np.ndarray, np.ndarray]:
    """(mw, cost), hours x 2, dearest first: Brandon's output, then flexible hydro that
    can be backed down while must-run flows stay; in all ≤ the tie's import capability."""
    load, hydro, wind, must_run = _hour_balance(load_mw, hydro_available_mw, wind_mw, a)
    brandon = np.clip(load - wind - hydro, 0.0, a.brandon_mw)
    flexible_used = np.clip(load - wind - must_run, 0.0, hydro - must_run)
    mw = _capped(np.stack([brandon, flexible_used], axis=1), MISO_IMPORT_MW)
    cost = np.stack(
        [np.full_like(load, thermal_cost(a)), np.broadcast_to(water_value, load.shape)], axis=1
    )
    return mw, cost


def _weighted_cost(mw: np.ndarray, cost: np.ndarray) -> np.ndarray:
    total = mw.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (mw * cost).sum(axis=1) / total, np.nan)


def signals(
    frame: pl.DataFrame, a: CostAssumptions | None = None, rule: SignalRule | None = None
) -> pl.DataFrame:
    """One signal per hour of `frame` (INPUT_COLUMNS, plus `day_of_year` and `storage`
    if known: else the hour's day and the seasonal proxy).

    Adds `storage`, `water_value`, `action` (export | import | hold), `quantity_mw`,
    `net_export_mw`, `marginal_cost` (the MW-weighted cost of the blocks traded, or the
    domestic marginal cost when holding), `expected_value_usd` at p50, `confidence` (P of
    the trade in the money; when holding, that of the best trade declined) and `reason`.
    Hours without a price forecast (null quantiles) hold.
    """
    a, rule = a or CostAssumptions(), rule or SignalRule()
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"signal inputs lack columns {missing}")
    if "day_of_year" not in frame.columns:
        frame = frame.with_columns(day_of_year=pl.col("hour").dt.ordinal_day())
    if "storage" not in frame.columns:
        frame = frame.with_columns(
            storage=pl.Series(reservoir_state(frame["day_of_year"].to_numpy()), dtype=pl.Float64)
        )
    col = {c: frame[c].cast(pl.Float64).to_numpy() for c in (*INPUT_COLUMNS[1:], "storage")}
    p10, p50, p90 = col["lmp_p10"], col["lmp_p50"], col["lmp_p90"]
    load, hydro, wind = col["load_mw"], col["hydro_available_mw"], col["wind_mw"]
    wv = water_value(col["storage"], frame["day_of_year"].to_numpy(), a)

    exp_mw, exp_cost = export_blocks(load, hydro, wind, wv, a)
    imp_mw, imp_cost = import_blocks(load, hydro, wind, wv, a)
    q = (p10[:, None], p50[:, None], p90[:, None])
    exp_p = prob_above(exp_cost + rule.margin, *q)
    imp_p = prob_below(imp_cost - rule.margin, *q)
    take_exp = (exp_mw > 0) & (exp_p >= rule.threshold) & (p50 >= rule.price_floor)[:, None]
    take_imp = (imp_mw > 0) & (imp_p >= rule.threshold)
    exp_q, imp_q = (exp_mw * take_exp).sum(axis=1), (imp_mw * take_imp).sum(axis=1)
    exp_c = _weighted_cost(exp_mw * take_exp, exp_cost)
    imp_c = _weighted_cost(imp_mw * take_imp, imp_cost)
    exp_ev = np.where(exp_q > 0, exp_q * (p50 - exp_c), 0.0)
    imp_ev = np.where(imp_q > 0, imp_q * (imp_c - p50), 0.0)

    is_exp = (exp_q > 0) & (exp_ev >= imp_ev)  # the two cannot both hold; EV breaks a tie
    is_imp = (imp_q > 0) & ~is_exp
    action = np.where(is_exp, "export", np.where(is_imp, "import", "hold"))
    quantity = np.where(is_exp, exp_q, np.where(is_imp, imp_q, 0.0))
    domestic = marginal_cost(load, hydro, wind, wv, thermal_cost(a), a.must_run_share, a.brandon_mw)
    cost = np.where(is_exp, exp_c, np.where(is_imp, imp_c, domestic))
    in_money = np.concatenate(
        [
            np.where(exp_mw > 0, prob_above(exp_cost, *q), 0.0),
            np.where(imp_mw > 0, prob_below(imp_cost, *q), 0.0),
        ],
        axis=1,
    )
    best_declined = np.nan_to_num(in_money).max(axis=1)
    confidence = np.where(
        is_exp,
        prob_above(exp_c, p10, p50, p90),
        np.where(is_imp, prob_below(imp_c, p10, p50, p90), best_declined),
    )
    reasons = [
        _reason(*r, rule)
        for r in zip(
            action,
            quantity,
            cost,
            p50,
            confidence,
            exp_mw.sum(axis=1),
            imp_mw.sum(axis=1),
            strict=True,
        )
    ]
    return frame.with_columns(
        water_value=pl.Series(wv, dtype=pl.Float64),
        action=pl.Series(action, dtype=pl.String),
        quantity_mw=pl.Series(quantity),
        net_export_mw=pl.Series(np.where(is_imp, -quantity, quantity)),
        marginal_cost=pl.Series(cost),
        expected_value_usd=pl.Series(np.where(is_exp, exp_ev, np.where(is_imp, imp_ev, 0.0))),
        confidence=pl.Series(confidence),
        reason=pl.Series(reasons, dtype=pl.String),
    )


def _reason(
    action: str,
    mw: float,
    cost: float,
    p50: float,
    p: float,
    export_room: float,
    import_room: float,
    rule: SignalRule,
) -> str:
    if np.isnan(p50):
        return "hold: no price forecast"
    if action == "export":
        return f"export {mw:,.0f} MW at cost ${cost:.2f}: p50 ${p50:.2f}, P(in the money) {p:.2f}"
    if action == "import":
        return f"import {mw:,.0f} MW saving ${cost:.2f}: p50 ${p50:.2f}, P(in the money) {p:.2f}"
    if export_room <= 0 and import_room <= 0:
        return "hold: no headroom either way"
    if p50 < rule.price_floor and import_room <= 0:
        return f"hold: p50 ${p50:.2f} below the ${rule.price_floor:.2f} export floor"
    return (
        f"hold: marginal cost ${cost:.2f} vs p50 ${p50:.2f}; best trade "
        f"P(in the money) {p:.2f}, short of {rule.threshold:.2f} with ${rule.margin:.2f} margin"
    )
