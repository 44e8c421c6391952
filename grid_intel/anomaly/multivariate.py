"""Outliers among peers: PyOD detectors on hourly features per equipment class.

Each class gets features that mean the same on every unit (residuals against the
thermal model, loading in per unit, changes from the hour before), so a 600 MVA
converter transformer and a 25 MVA distribution unit are peers. Isolation Forest
finds units that a few random splits isolate, whatever the feature; ECOD scores how
far out in each feature's own distribution a unit sits, so it favours units odd in
several features at once. No labels are needed: the scores rank which assets an
engineer should look at first.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from grid_intel.anomaly.physical import served_substation
from grid_intel.grid.cooling import COOLING
from grid_intel.grid.registry import Registry
from grid_intel.health.thermal import ThermalParams, ultimate_hot_spot_rise, ultimate_top_oil_rise

if TYPE_CHECKING:
    from pyod.models.base import BaseDetector

DETECTORS = ("iforest", "ecod")
CONTAMINATION = 0.02  # the share flagged: a few units a class, what a shift can look at
MIN_ROWS = 10  # fewer peers than this give no distribution to stand out of
KEYS = ("asset", "hour")
GROUP_KIND = {  # peer group -> the asset kind its members are
    "transformer": "transformer",
    "transformer_gas": "transformer",
    "line": "line",
    "breaker": "breaker",
}
FAULT_GASES = ("h2", "ch4", "c2h4", "c2h6")  # what overheated oil and paper give off


def _wide(stats: pl.DataFrame, kind: str) -> pl.DataFrame:
    """One row per asset and hour, a column per measurement and statistic."""
    rows = stats.filter(pl.col("asset_kind") == kind)
    if rows.is_empty():
        return pl.DataFrame(schema={"asset": pl.String, "hour": stats.schema["hour"]})
    return rows.pivot(
        on="measurement",
        index=list(KEYS),
        values=["mean_value", "min_value", "max_value"],
        aggregate_function="mean",
    ).sort(KEYS)


def _col(frame: pl.DataFrame, measurement: str, stat: str) -> np.ndarray:
    """A column as floats (NaN for missing), whichever name the pivot gave it."""
    for name in (f"{stat}_value_{measurement}", f"{measurement}_{stat}_value"):
        if name in frame.columns:
            return frame[name].cast(pl.Float64).fill_null(np.nan).to_numpy()
    return np.full(frame.height, np.nan)


def _previous(frame: pl.DataFrame, values: np.ndarray) -> np.ndarray:
    """Each row's value in the same asset's previous hour (NaN where that hour is missing)."""
    prev = (
        frame.select(KEYS)
        .with_columns(v=pl.Series(values))
        .with_columns(
            pl.col("v").shift(1).over("asset").alias("prev"),
            (pl.col("hour") - pl.col("hour").shift(1).over("asset")).alias("step"),
        )
    )
    ok = (prev["step"] == timedelta(hours=1)).fill_null(False).to_numpy()
    return np.where(ok, prev["prev"].fill_null(np.nan).to_numpy(), np.nan)


def transformer_features(stats: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """Peak load (pu); the top-oil rise the hour is heading to (its mean plus τ times its
    change since the hour before, as in `physical`) and the hot-spot gradient, each
    above the IEEE C57.91 ultimate rise for the hour's mean load (°C)."""
    w = _wide(stats, "transformer")
    if w.is_empty():
        return w
    by_id = {t.id: t for t in registry.transformers}
    txs = [by_id[a] for a in w["asset"]]
    params = ThermalParams.of(txs)
    rating = np.array([t.rating_mva for t in txs])
    k = _col(w, "load_mva", "mean") / rating
    top, hot = _col(w, "top_oil_temp_c", "mean"), _col(w, "hot_spot_temp_c", "mean")
    rise = top - _col(w, "ambient_temp_c", "mean")
    slope = (rise - _previous(w, rise)) / 60.0  # °C per minute, hour mean to hour mean
    tau = np.array([COOLING[t.cooling].oil_time_constant_min for t in txs])
    with np.errstate(invalid="ignore"):
        heading = rise + tau * np.where(np.isfinite(slope), slope, 0.0)
        top_excess = heading - ultimate_top_oil_rise(params, k)
        gradient_excess = hot - top - ultimate_hot_spot_rise(params, k)
    return w.select(KEYS).with_columns(
        load_pu=pl.Series(_col(w, "load_mva", "max") / rating),
        top_oil_excess_c=pl.Series(top_excess),
        hot_spot_gradient_excess_c=pl.Series(gradient_excess),
    )


def gas_features(stats: pl.DataFrame) -> pl.DataFrame:
    """Each key fault gas's change since the hour before, as a log ratio (a fault
    multiplies the gases, age only adds to them), for transformers with a DGA monitor.
    They are their own peer group: a value filled in for unmonitored units would make
    every monitored one look odd."""
    w = _wide(stats.filter(pl.col("measurement").str.ends_with("_ppm")), "transformer")
    if w.is_empty():
        return w
    with np.errstate(invalid="ignore", divide="ignore"):
        change = {}
        for g in FAULT_GASES:
            ppm = _col(w, f"{g}_ppm", "mean")
            change[f"{g}_change"] = pl.Series(np.log(ppm / _previous(w, ppm)))
    return w.select(KEYS).with_columns(**change)


def line_features(stats: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """Peak loading (pu of rating), mean current over what the served substation's
    transformers pass, current against the hour before, and the conductor's peak
    against its mean the hour before (°C)."""
    w = _wide(stats, "line")
    if w.is_empty():
        return w
    by_id = {ln.id: ln for ln in registry.lines}
    lines = [by_id[a] for a in w["asset"]]
    amps = _col(w, "current_a", "mean")
    subs = [served_substation(ln, registry) for ln in lines]
    kv = np.array([ln.voltage_kv for ln in lines])
    rating = np.array([ln.rating_a for ln in lines])
    served = _served_mva(stats, w, subs, registry) * 1e3 / (np.sqrt(3) * kv)  # amps
    conductor = _col(w, "conductor_temp_c", "mean")
    with np.errstate(invalid="ignore", divide="ignore"):
        over_served = np.where(served > 0.02 * rating, amps / served, 1.0)
        change = np.log(np.maximum(amps, 1.0) / np.maximum(_previous(w, amps), 1.0))
    return w.select(KEYS).with_columns(
        loading_pu=pl.Series(_col(w, "current_a", "max") / rating),
        over_served=pl.Series(over_served),
        log_current_change=pl.Series(change),
        conductor_rise_c=pl.Series(_col(w, "conductor_temp_c", "max") - _previous(w, conductor)),
    )


def _served_mva(
    stats: pl.DataFrame, w: pl.DataFrame, subs: Sequence[str], registry: Registry
) -> np.ndarray:
    """Mean MVA through each row's served substation's transformers in that hour."""
    sub_of = {t.id: t.substation for t in registry.transformers}
    loads = (
        stats.filter(
            (pl.col("asset_kind") == "transformer") & (pl.col("measurement") == "load_mva")
        )
        .with_columns(sub=pl.col("asset").replace_strict(sub_of, default=None))
        .group_by("sub", "hour")
        .agg(pl.col("mean_value").sum())
    )
    got = {(s, h): v for s, h, v in loads.iter_rows()}
    return np.array([got.get((s, h), np.nan) for s, h in zip(subs, w["hour"], strict=True)])


def breaker_features(stats: pl.DataFrame) -> pl.DataFrame:
    """Operations in the hour (counter's rise), share of the hour open, and whether
    the state changed at all."""
    w = _wide(stats, "breaker")
    if w.is_empty():
        return w
    status = _col(w, "status", "mean")
    return w.select(KEYS).with_columns(
        operations=pl.Series(_col(w, "operation_count", "max") - _col(w, "operation_count", "min")),
        open_share=pl.Series(1.0 - status),
        status_swing=pl.Series(_col(w, "status", "max") - _col(w, "status", "min")),
    )


def features(stats: pl.DataFrame, registry: Registry) -> dict[str, pl.DataFrame]:
    """Features per peer group (GROUP_KIND) from hourly point statistics: columns hour, asset,
    asset_kind, measurement, mean_value, min_value, max_value (the warehouse's hourly
    station stats). Give the hour before too: the changes need it."""
    return {
        "transformer": transformer_features(stats, registry),
        "transformer_gas": gas_features(stats),
        "line": line_features(stats, registry),
        "breaker": breaker_features(stats),
    }


def robust_scaled(x: np.ndarray) -> np.ndarray:
    """Each column centred on its median and scaled by its MAD (by its mean absolute
    deviation where most values tie); missing values land on the median, a constant
    column on zero."""
    with warnings.catch_warnings():  # an all-missing column is left at zero
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(x, axis=0)
        dev = np.abs(x - med)
        scale = np.nanmedian(dev, axis=0) * 1.4826
        scale = np.where(scale > 0, scale, np.nanmean(dev, axis=0) * 1.2533)
    ok = np.isfinite(scale) & (scale > 0)
    z = np.where(ok, (x - med) / np.where(ok, scale, 1.0), 0.0)
    return np.nan_to_num(z, nan=0.0)


def _detector(name: str, seed: int, contamination: float) -> BaseDetector:
    # Imported here: PyOD pulls in scikit-learn (~4 s), which every Dagster run process
    # would otherwise pay when it loads the code location.
    from pyod.models.ecod import ECOD
    from pyod.models.iforest import IForest

    if name == "iforest":
        return IForest(contamination=contamination, random_state=seed, n_jobs=1)
    if name == "ecod":
        return ECOD(contamination=contamination)
    raise ValueError(f"unknown detector {name!r}; known: {', '.join(DETECTORS)}")


def scores(
    features_by_group: Mapping[str, pl.DataFrame],
    detectors: Sequence[str] = DETECTORS,
    seed: int = 0,
    contamination: float = CONTAMINATION,
) -> pl.DataFrame:
    """Anomaly score per asset, hour, peer group and detector (higher is stranger), its
    rank in the group that hour (1 = strangest) and the detector's flag. Each group is
    fitted on all its rows given, so a day of hours gives a steadier picture of normal
    than one; a group with fewer than MIN_ROWS rows is left out."""
    frames = []
    for group, f in features_by_group.items():
        cols = [c for c in f.columns if c not in KEYS]
        if f.height < MIN_ROWS or not cols:
            continue
        x = robust_scaled(f.select(cols).cast(pl.Float64).fill_null(np.nan).to_numpy())
        for name in detectors:
            model = _detector(name, seed, contamination)
            model.fit(x)
            frames.append(
                f.select(KEYS).with_columns(
                    asset_kind=pl.lit(GROUP_KIND.get(group, group)),
                    group=pl.lit(group),
                    detector=pl.lit(name),
                    score=pl.Series(np.asarray(model.decision_scores_, dtype=float)),
                    flag=pl.Series(np.asarray(model.labels_) == 1),
                )
            )
    columns = ("asset", "hour", "asset_kind", "group", "detector", "score", "rank", "flag")
    if not frames:
        types = (pl.String, pl.Datetime("us", "UTC"), pl.String, pl.String, pl.String)
        types += (pl.Float64, pl.UInt32, pl.Boolean)
        return pl.DataFrame(schema=dict(zip(columns, types, strict=True)))
    rank = pl.col("score").rank("ordinal", descending=True).over("group", "hour", "detector")
    return pl.concat(frames).with_columns(rank=rank).select(columns)
