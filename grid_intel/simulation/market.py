"""MISO prices: day-ahead hourly and real-time 5-minute LMPs, and ancillary services.

LMP = MEC + MCC + MLC at every node. The energy component follows MISO load
(two daily peaks, summer and winter highs), falls with wind and rises in
weather extremes; real time adds noise, rare scarcity spikes (up to the
$1,000/MWh offer cap) and negative prices in windy night hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from grid_intel.market.columns import LMP_COLUMNS
from grid_intel.simulation.noise import epoch_hours, knot_values, smooth_noise

OFFER_CAP = 1000.0
EST_OFFSET_H = -5  # MISO's market clock is Eastern Standard Time all year


@dataclass(frozen=True)
class Node:
    name: str
    location_type: str
    loss_factor: float  # MLC as a share of MEC (negative: exporting end, losses reduce price)
    congestion_usd: float  # mean MCC


NODES = (
    Node("MHEB", "Interface", -0.035, -2.5),  # Manitoba interface: far end, often export-congested
    Node("MINN.HUB", "Hub", -0.010, 0.5),
)
ANCILLARY = {  # mean zonal clearing prices, $/MWh
    "Regulation": 9.0,
    "Spinning": 3.5,
    "Supplemental": 1.5,
    "Short-Term Reserve": 1.0,
    "Ramp Up": 0.6,
    "Ramp Down": 0.3,
}


def energy_component(
    seed: int, ts: np.ndarray, temp_c: np.ndarray, wind_ms: np.ndarray
) -> np.ndarray:
    """Expected MEC ($/MWh) from the hour in EST, the temperature and the wind."""
    hours = epoch_hours(ts)
    est = (hours + EST_OFFSET_H) % 24
    shape = (
        1
        + 0.18 * np.exp(-((est - 8) ** 2) / 6)
        + 0.30 * np.exp(-((est - 18) ** 2) / 10)
        - 0.20 * np.exp(-((est - 3) ** 2) / 8)
    )
    extreme = (
        0.012 * np.clip(temp_c - 24, 0, None) ** 2 + 0.006 * np.clip(-10 - temp_c, 0, None) ** 2
    )
    wind_effect = -0.4 * np.tanh(np.clip(wind_ms - 5, 0, None) / 6)  # share of MEC
    fuel = 1 + 0.12 * smooth_noise(seed, "gas-price", hours, 24 * 10)
    return 30.0 * fuel * shape * (1 + extreme + wind_effect)


def _uniform(seed: int, key: str, idx: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(knot_values(seed, key, idx) / 1.2))


def lmp(
    seed: int, market: str, ts: np.ndarray, temp_c: np.ndarray, wind_ms: np.ndarray
) -> pl.DataFrame:
    """LMPs with components per node; `market` is "DA" (hourly) or "RT" (5-minute)."""
    if market not in ("DA", "RT"):
        raise ValueError(f"market must be DA or RT, got {market!r}")
    mec = energy_component(seed, ts, temp_c, wind_ms)
    hours = epoch_hours(ts)
    step_h = 1.0 if market == "DA" else 1 / 12
    if market == "RT":
        mec = mec + 4.0 * smooth_noise(seed, "rt", hours, 0.5)
        idx = np.round(hours / step_h).astype(np.int64)
        u = _uniform(seed, "rt-spike", idx)
        spike = u > 0.997
        mec = np.where(spike, np.minimum(OFFER_CAP, mec * (3 + 40 * (u - 0.997) / 0.003)), mec)
        est = (hours + EST_OFFSET_H) % 24
        windy_night = (wind_ms > 8) & ((est < 6) | (est > 22))
        neg = windy_night & ~spike & (_uniform(seed, "rt-negative", idx) > 0.7)
        mec = np.where(neg, -np.abs(mec) * 0.4 - 5, mec)
    frames = []
    for node in NODES:
        mcc = node.congestion_usd + 3.0 * smooth_noise(
            seed, f"mcc/{node.name}/{market}", hours, 3.0
        )
        mlc = node.loss_factor * mec
        frames.append(
            pl.DataFrame(
                {
                    "interval_start": ts.astype("datetime64[us]"),
                    "market": market,
                    "location": node.name,
                    "location_type": node.location_type,
                    "energy": mec,
                    "congestion": mcc,
                    "loss": mlc,
                }
            ).with_columns(lmp=pl.col("energy") + pl.col("congestion") + pl.col("loss"))
        )
    out = pl.concat(frames).with_columns(pl.col("interval_start").dt.replace_time_zone("UTC"))
    return out.with_columns(
        interval_end=pl.col("interval_start") + pl.duration(minutes=int(step_h * 60))
    ).select(LMP_COLUMNS)


def ancillary(seed: int, ts: np.ndarray, mec: np.ndarray) -> pl.DataFrame:
    """Zonal ancillary clearing prices; they rise with energy-price scarcity."""
    hours = epoch_hours(ts)
    scarcity = np.clip(mec / 30.0, 0.3, 20.0)
    return pl.concat(
        [
            pl.DataFrame(
                {
                    "interval_start": ts.astype("datetime64[us]"),
                    "product": product,
                    "price": mean
                    * scarcity
                    * np.exp(0.3 * smooth_noise(seed, f"as/{product}", hours, 4.0)),
                }
            )
            for product, mean in ANCILLARY.items()
        ]
    ).with_columns(pl.col("interval_start").dt.replace_time_zone("UTC"))
