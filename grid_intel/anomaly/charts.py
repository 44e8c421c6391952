"""Control charts on the model residuals of temperatures and loads: EWMA, CUSUM and the
Western Electric rules per transformer (top oil heading above the IEEE C57.91 model,
°C) and per line (current over what its served transformers pass, less one), against
the in-control residual of healthy equipment. They give scores, not events: a chart
says a unit has drifted from its model well before the fixed fault limit says it is
failing, which is what a planner ranks the fleet by."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import polars as pl

from grid_intel.anomaly.physical import Block, loading, thermal
from grid_intel.anomaly.spc import Baseline, cusum, ewma, western_electric
from grid_intel.grid.equipment import Point
from grid_intel.grid.registry import Registry

# In-control residuals of healthy simulated units, centred on the model. The top-oil
# residual comes from a trailing fit, so minute follows minute (lag-1 correlation
# 0.75): its sigma of 1.1 °C is widened by sqrt((1+0.75)/(1-0.75)), the usual
# allowance for an AR(1) series, or EWMA and CUSUM would alarm on healthy units. The
# line ratio's minutes are independent (sigma 0.0013).
TOP_OIL_SIGMA_C = 3.0
LOADING_SIGMA = 0.0013
CHARTS = ("ewma", "cusum", "western_electric")
# A chart's false-alarm rate is per point (one in a few hundred minutes); an asset is
# flagged for the hour only when its chart alarms this many minutes.
ALARM_MINUTES = 3
COLUMNS = ("asset", "hour", "asset_kind", "group", "detector", "score", "rank", "flag")


def chart(x: np.ndarray, sigma: float) -> dict[str, np.ndarray]:
    """Each chart's flags on one residual series (NaN minutes are never flagged)."""
    base = Baseline(0.0, sigma)
    rules = western_electric(x, base)
    # Rule 4 (eight in a row on one side) assumes independent points; a smooth
    # residual meets it by construction.
    return {
        "ewma": ewma(x, base),
        "cusum": cusum(x, base),
        "western_electric": rules["rule1"] | rules["rule2"] | rules["rule3"],
    }


def _rows(
    hour: datetime, kind: str, group: str, assets: Sequence[str], resid: np.ndarray, sigma: float
) -> list[tuple[object, ...]]:
    rows = []
    for i, asset in enumerate(assets):
        x = resid[:, i]
        ok = np.isfinite(x)
        if ok.sum() < 3:
            continue
        for name, flags in chart(x, sigma).items():
            alarmed = int(flags[ok].sum())
            rows.append(
                (asset, hour, kind, group, name, alarmed / ok.sum(), alarmed >= ALARM_MINUTES)
            )
    return rows


def chart_scores(
    hour: datetime,
    block: Block,
    points: Sequence[Point],
    registry: Registry,
    previous: Block | None = None,
) -> pl.DataFrame:
    """Per asset and chart: the share of the hour's minutes the chart flags (score),
    whether it alarmed at least ALARM_MINUTES (flag), and the rank in its group (1 =
    most flagged)."""
    epoch_s, values = block
    rows: list[tuple[object, ...]] = []
    th = thermal(epoch_s, values, points, registry)
    if th is not None:
        rows += _rows(
            hour, "transformer", "transformer_thermal", th.assets, th.top_excess, TOP_OIL_SIGMA_C
        )
    ld = loading(epoch_s, values, points, registry, previous)
    if ld is not None:
        rows += _rows(hour, "line", "line_loading", ld.assets, ld.ratio - 1.0, LOADING_SIGMA)
    types = (pl.String, pl.Datetime("us", "UTC"), pl.String, pl.String, pl.String)
    types += (pl.Float64, pl.Boolean)
    schema = dict(zip([c for c in COLUMNS if c != "rank"], types, strict=True))
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    rank = pl.col("score").rank("ordinal", descending=True).over("group", "detector")
    return frame.with_columns(rank=rank.cast(pl.UInt32)).select(COLUMNS)
