"""One simulated hour of every feed, as messages ready for Kafka."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.grid.regions import REGIONS, REGIONS_BY_ID
from grid_intel.simulation.frequency import system_frequency
from grid_intel.simulation.market import lmp
from grid_intel.simulation.messages import (
    Message,
    frequency_messages,
    price_messages,
    scan_message,
)
from grid_intel.simulation.noise import smooth_noise
from grid_intel.simulation.scada import ScadaSimulator
from grid_intel.simulation.weather import weather

FREQUENCY_STEP_S = 2


def frequency_frame(seed: int, start: datetime, end: datetime) -> pl.DataFrame:
    """Per-region frequency every 2 s with RoCoF, for [start, end)."""
    epoch = np.arange(start.timestamp() - FREQUENCY_STEP_S, end.timestamp(), FREQUENCY_STEP_S)
    system = system_frequency(seed, epoch)
    frames = []
    for region in REGIONS:
        hz = system + 0.0015 * smooth_noise(seed, f"freq/{region.id}", epoch / 3600, 1 / 120)
        frames.append(
            pl.DataFrame(
                {
                    "ts": (epoch[1:] * 1e6).astype("datetime64[us]"),
                    "region": region.id,
                    "hz": hz[1:],
                    "rocof": np.diff(hz) / FREQUENCY_STEP_S,
                }
            )
        )
    return pl.concat(frames).with_columns(pl.col("ts").dt.replace_time_zone("UTC")).sort("ts")


def price_frame(seed: int, hour: datetime) -> pl.DataFrame:
    """DA (hourly) and RT (5-minute) LMPs at the nodes for one hour."""
    central = REGIONS_BY_ID["central"]
    w = weather(seed, hour, hour + timedelta(hours=1), step_s=300, regions=(central,))
    ts = w["ts"].dt.replace_time_zone(None).to_numpy()
    temp, wind = w["temp_c"].to_numpy(), w["wind_ms"].to_numpy()
    return pl.concat([lmp(seed, "DA", ts[:1], temp[:1], wind[:1]), lmp(seed, "RT", ts, temp, wind)])


class Feeds:
    """Generates the messages of every topic hour by hour, deterministically per seed."""

    def __init__(self, seed: int = 7, scale: int = 1) -> None:
        self.seed = seed
        self.scada = ScadaSimulator(seed=seed, scale=scale)
        self._substation = {r.id: r.substation for r in self.scada.registry.rtus}

    def messages(self, start: datetime, end: datetime) -> Iterator[Message]:
        """Every topic's messages with event time in [start, end), hour by hour."""
        hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        while hour < end:
            lo, hi = max(hour, start), min(hour + timedelta(hours=1), end)
            prices = price_messages(price_frame(self.seed, hour))
            yield from (m for m in prices if start_ms <= m.timestamp_ms < end_ms)
            yield from frequency_messages(frequency_frame(self.seed, lo, hi))
            for scan in self.scada.scans(lo, hi):
                yield scan_message(scan, self._substation[scan.rtu])
            hour += timedelta(hours=1)
