"""Physical faults in one block of SCADA scans: transformer overheating against the IEEE
C57.91 thermal model, and line overload against the load the line serves and its
conductor's limits.

Scans are reduced to per-minute medians first: the models move no faster than a
minute, and a median is untouched by a spiking sensor. Overheating is a residual, not
a fixed temperature: the top-oil rise over ambient obeys r + τ·dr/dt = ΔθTO,U(K), so
the measured rise and its slope say where the oil is heading, and anything beyond
what the measured load explains is excess heat (a cooling failure). That needs no
thermal state carried in, so each hour is judged alone. A radial line carries what
its served substation's transformers pass; a current well beyond that is flow the
served load does not explain. The line's rating alone would not do: some lines run
at it on a winter peak, and a wind farm's line swings by half in an hour.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from grid_intel.anomaly.events import Event, merge
from grid_intel.anomaly.patterns import flatline
from grid_intel.anomaly.scada_faults import FLAT_SCANS
from grid_intel.grid.cooling import COOLING
from grid_intel.grid.equipment import Line, Point
from grid_intel.grid.registry import Registry
from grid_intel.health.breakers_lines import CONDUCTOR_EMERGENCY_C
from grid_intel.health.thermal import (
    WINDING_TIME_CONSTANT_MIN,
    ThermalParams,
    ultimate_hot_spot_rise,
    ultimate_top_oil_rise,
)

PHYSICAL_KINDS = ("transformer_overheating", "line_overload")
FIT_MINUTES = 10  # the slope of ten minute-medians puts τ·dr/dt within about 1 °C
TOP_OIL_EXCESS_C = 10.0  # healthy simulated units stay within ±6 °C (sigma about 1.1 °C)
OVERLOAD_RATIO = 1.15  # current over what the served transformers pass: 1 ± 1 % simulated;
# metering error, losses and charging current are a few per cent on a real line (approx.)
SERVED_MIN_PU = 0.02  # below this share of rating the ratio is noise over nothing
NORMAL_MINUTES = 30  # the previous hour's last half hour: a conductor's normal temperature
START_MINUTES = 5  # without the previous hour, the block's first minutes
CONDUCTOR_RISE_C = 25.0  # only judged on lines carrying next to nothing
# Any line is overloaded with its conductor past CONDUCTOR_EMERGENCY_C (aluminium anneals).
GAP_MINUTES = 2
Block = tuple[np.ndarray, np.ndarray]  # (epoch_s, values) of an hour of scans


def live(values: np.ndarray, cols: Sequence[int]) -> np.ndarray:
    """The chosen columns with flat-lined readings (a stuck sensor, as `scada_faults` finds
    them) set missing: a frozen temperature or load would pass for a model residual,
    and its release for a step of heat."""
    out = values[:, list(cols)].copy()
    for j in range(out.shape[1]):
        x = out[:, j]
        out[flatline(x, FLAT_SCANS) & (x != 0), j] = np.nan  # an idle line reads 0, steadily
    return out


def minute_medians(epoch_s: np.ndarray, readings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (epoch s) of each minute in the block and the median of each column's
    readings in it; NaN where a column has no reading that minute."""
    minute = (np.asarray(epoch_s, dtype=float) // 60).astype(np.int64)
    starts, inverse = np.unique(minute, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(starts.size + 1))
    sub = readings[order]
    out = np.full((starts.size, readings.shape[1]), np.nan)
    with warnings.catch_warnings():  # a minute of dropout is all NaN: NaN is right
        warnings.simplefilter("ignore", RuntimeWarning)
        for k in range(starts.size):
            out[k] = np.nanmedian(sub[bounds[k] : bounds[k + 1]], axis=0)
    return starts * 60.0, out


def trailing_fit(y: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Level and slope (per row) of a least-squares line through the `window` rows up to
    each row, per column; rows before the first full window use that window, so the
    block's first minutes are judged too. NaN rows are left out of the fit and get NaN,
    as does a window less than four-fifths finite (an extrapolated level is noise)."""
    n = y.shape[0]
    w = min(window, n)
    nan = np.full(y.shape, np.nan)
    if w < 3:
        return nan, nan
    idx = np.clip(np.arange(n) - w + 1, 0, n - w)[:, None] + np.arange(w)
    seg = y[idx]  # (rows, window, columns)
    ok = np.isfinite(seg)
    count = ok.sum(axis=1)
    t = np.where(ok, idx[:, :, None].astype(float), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = t.sum(axis=1) / count
        y_mean = np.where(ok, seg, 0.0).sum(axis=1) / count
        dt = np.where(ok, idx[:, :, None] - t_mean[:, None, :], 0.0)
        dy = np.where(ok, seg - y_mean[:, None, :], 0.0)
        slope = (dt * dy).sum(axis=1) / (dt**2).sum(axis=1)
        level = y_mean + slope * (np.arange(n)[:, None] - t_mean)
    enough = (count >= max(3, (4 * w) // 5)) & np.isfinite(y)
    return np.where(enough, level, np.nan), np.where(enough, slope, np.nan)


def _columns(points: Sequence[Point], kind: str, measures: Sequence[str]) -> dict[str, list[int]]:
    """Asset -> the column of each measurement in `measures`, for assets that have all."""
    found: dict[str, dict[str, int]] = {}
    for j, p in enumerate(points):
        if p.asset_kind == kind and p.measurement in measures:
            found.setdefault(p.asset, {})[p.measurement] = j
    return {
        a: [m[x] for x in measures] for a, m in sorted(found.items()) if len(m) == len(measures)
    }


def _events(
    flags: np.ndarray,
    minutes: list[datetime],
    assets: Sequence[str],
    kind: str,
    scores: np.ndarray,
    **ev: np.ndarray,
) -> list[Event]:
    """Events of every flagged asset (a column of the minutes x assets arrays), with the
    evidence (arrays alike) summarised per event."""
    out = []
    for i in np.flatnonzero(flags.any(axis=0)):
        for e in merge(flags[:, i], minutes, assets[i], kind, scores[:, i], gap=GAP_MINUTES):
            rows = [j for j, m in enumerate(minutes) if e.start <= m < e.end]
            picked = {k: v[rows, i] for k, v in ev.items()}
            finite = {k: v[np.isfinite(v)] for k, v in picked.items()}
            summary = {k: round(float(v.max()), 2) if v.size else None for k, v in finite.items()}
            out.append(replace(e, severity=round(e.severity, 2), evidence=summary))
    return out


@dataclass(frozen=True)
class Thermal:
    """Per minute (rows) and transformer (columns): how far the top oil is heading above
    what the IEEE C57.91 model gives for the measured load (°C), the same for the hot
    spot, and the load (pu of rating)."""

    assets: list[str]
    minutes: list[datetime]
    top_excess: np.ndarray
    hot_excess: np.ndarray
    load_pu: np.ndarray


def thermal(
    epoch_s: np.ndarray, values: np.ndarray, points: Sequence[Point], registry: Registry
) -> Thermal | None:
    measures = ("load_mva", "ambient_temp_c", "top_oil_temp_c", "hot_spot_temp_c")
    cols = _columns(points, "transformer", measures)
    if not cols:
        return None
    assets = list(cols)
    by_id = {t.id: t for t in registry.transformers}
    txs = [by_id[a] for a in assets]
    starts, med = minute_medians(epoch_s, live(values, [c for a in assets for c in cols[a]]))
    load, ambient, top, hot = (med[:, i :: len(measures)] for i in range(len(measures)))
    params = ThermalParams.of(txs)
    k = load / np.array([t.rating_mva for t in txs])
    tau = np.array([COOLING[t.cooling].oil_time_constant_min for t in txs])
    rise, rise_slope = trailing_fit(top - ambient, FIT_MINUTES)
    top_excess = rise + tau * rise_slope - ultimate_top_oil_rise(params, k)
    gradient, gradient_slope = trailing_fit(hot - top, FIT_MINUTES)
    hot_excess = (
        top_excess
        + gradient
        + WINDING_TIME_CONSTANT_MIN * gradient_slope
        - ultimate_hot_spot_rise(params, k)
    )
    minutes = [datetime.fromtimestamp(float(s), UTC) for s in starts]
    return Thermal(assets, minutes, top_excess, hot_excess, k)


def overheating(
    epoch_s: np.ndarray, values: np.ndarray, points: Sequence[Point], registry: Registry
) -> list[Event]:
    """transformer_overheating events: minutes where the top oil is heading more than
    TOP_OIL_EXCESS_C above what the IEEE C57.91 model gives for the measured load (severity:
    that excess, °C; evidence adds the hot spot's excess and the load)."""
    th = thermal(epoch_s, values, points, registry)
    if th is None:
        return []
    with np.errstate(invalid="ignore"):
        flags = th.top_excess > TOP_OIL_EXCESS_C
    return _events(
        flags,
        th.minutes,
        th.assets,
        "transformer_overheating",
        th.top_excess,
        hot_spot_excess_c=th.hot_excess,
        load_pu=th.load_pu,
    )


def served_substation(line: Line, registry: Registry) -> str:
    """The substation whose transformers a line's flow passes: lines are radial, so a
    line out of a generating station (or an HVDC sending end) carries what that station
    produces, and any other line what its receiving substation serves."""
    source = next(s for s in registry.substations if s.id == line.from_substation)
    sending = line.hvdc or source.kind == "generating"
    return line.from_substation if sending else line.to_substation


def _normal(
    epoch_s: np.ndarray, values: np.ndarray, cols: list[int], previous: Block | None
) -> np.ndarray:
    """Each column's normal level: the median of the previous hour's last NORMAL_MINUTES,
    or of this block's first START_MINUTES when no previous block is given."""
    if previous is not None:
        rows = minute_medians(previous[0], live(previous[1], cols))[1][-NORMAL_MINUTES:]
    else:
        rows = minute_medians(epoch_s, live(values, cols))[1][:START_MINUTES]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(rows, axis=0)


@dataclass(frozen=True)
class Loading:
    """Per minute (rows) and line (columns): current over what the served substation's
    transformers pass (NaN where they pass next to nothing), whether it could be judged
    so, the conductor's rise over normal (°C), its temperature, and loading (pu)."""

    assets: list[str]
    minutes: list[datetime]
    ratio: np.ndarray
    judged: np.ndarray
    idle: np.ndarray
    rise: np.ndarray
    temp: np.ndarray
    loading_pu: np.ndarray


def loading(
    epoch_s: np.ndarray,
    values: np.ndarray,
    points: Sequence[Point],
    registry: Registry,
    previous: Block | None = None,
) -> Loading | None:
    cols = _columns(points, "line", ("current_a", "conductor_temp_c"))
    loads = _columns(points, "transformer", ("load_mva",))
    if not cols:
        return None
    assets = list(cols)
    by_id = {ln.id: ln for ln in registry.lines}
    lines = [by_id[a] for a in assets]
    by_sub: dict[str, list[int]] = {}
    for t in registry.transformers:
        if t.id in loads:
            by_sub.setdefault(t.substation, []).append(loads[t.id][0])
    feeds = [by_sub.get(served_substation(ln, registry), []) for ln in lines]
    flat = [c for a in assets for c in cols[a]]
    tx_cols = sorted({c for f in feeds for c in f})
    starts, med = minute_medians(epoch_s, live(values, flat + tx_cols))
    amps, temp = med[:, 0 : len(flat) : 2], med[:, 1 : len(flat) : 2]
    at = {c: len(flat) + i for i, c in enumerate(tx_cols)}
    mva = np.stack(
        [
            med[:, [at[c] for c in f]].sum(axis=1) if f else np.full(len(starts), np.nan)
            for f in feeds
        ],
        axis=1,
    )
    kv = np.array([ln.voltage_kv for ln in lines])
    rating = np.array([ln.rating_a for ln in lines])
    served = mva * 1e3 / (np.sqrt(3) * kv)  # amps
    normal_temp = _normal(epoch_s, values, flat, previous)[1::2]
    with np.errstate(invalid="ignore", divide="ignore"):
        judged = served > SERVED_MIN_PU * rating
        idle = served <= SERVED_MIN_PU * rating  # neither where a load reading is missing
        ratio = np.where(judged, amps / served, np.nan)
    minutes = [datetime.fromtimestamp(float(s), UTC) for s in starts]
    return Loading(assets, minutes, ratio, judged, idle, temp - normal_temp, temp, amps / rating)


def overload(
    epoch_s: np.ndarray,
    values: np.ndarray,
    points: Sequence[Point],
    registry: Registry,
    previous: Block | None = None,
) -> list[Event]:
    """line_overload events: minutes where a line carries OVERLOAD_RATIO times the current
    its served substation's transformers pass (severity: that ratio), or its conductor
    is past its emergency temperature. A line whose substation passes next to nothing
    cannot be judged by the ratio, and is flagged instead when its conductor runs
    CONDUCTOR_RISE_C above its normal temperature (severity: that rise, °C)."""
    ld = loading(epoch_s, values, points, registry, previous)
    if ld is None:
        return []
    with np.errstate(invalid="ignore"):
        flags = (ld.ratio > OVERLOAD_RATIO) | (ld.idle & (ld.rise > CONDUCTOR_RISE_C))
        flags |= ld.temp > CONDUCTOR_EMERGENCY_C
    return _events(
        flags,
        ld.minutes,
        ld.assets,
        "line_overload",
        np.where(ld.judged, ld.ratio, ld.rise),
        loading_pu=ld.loading_pu,
        over_served=ld.ratio,
        conductor_rise_c=ld.rise,
    )


def detect(
    epoch_s: np.ndarray,
    values: np.ndarray,
    points: Sequence[Point],
    registry: Registry,
    previous: Block | None = None,
) -> list[Event]:
    """Events of PHYSICAL_KINDS in a block (`values[:, j]` is `points[j]` at `epoch_s`).
    `previous`, the hour before as (epoch_s, values), only gives an idle line's conductor
    its normal temperature; without it, the block's first minutes do."""
    out = overheating(epoch_s, values, points, registry)
    out += overload(epoch_s, values, points, registry, previous)
    return sorted(out, key=lambda e: (e.start, e.kind, e.asset))
