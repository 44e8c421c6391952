"""System frequency around 60 Hz: governor-damped noise plus unit-trip events.

A trip drops frequency at a rate set by the lost generation (RoCoF), to a nadir,
then primary response recovers it with a time constant of tens of seconds.
Outside events the frequency stays in the 59.9-60.1 Hz normal band.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from grid_intel.simulation.noise import knot_values, smooth_noise

NOMINAL_HZ = 60.0
TRIPS_PER_DAY = 0.5


@dataclass(frozen=True)
class Trip:
    """A generating-unit trip: ground truth for the frequency excursion it causes."""

    start: datetime
    nadir_drop_hz: float
    fall_s: float
    recovery_tau_s: float

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.fall_s + 5 * self.recovery_tau_s)


def trips(seed: int, start: datetime, end: datetime) -> list[Trip]:
    """Trips whose start lies in [start, end): at most one per hour, ~TRIPS_PER_DAY a day."""
    first = int(start.timestamp() // 3600)
    last = int(np.ceil(end.timestamp() / 3600))
    hours = np.arange(first - 1, last + 1)
    draws = 0.5 * (1 + np.tanh(knot_values(seed, "trip", hours)))
    depth = 0.5 * (1 + np.tanh(knot_values(seed, "trip-depth", hours)))
    out = []
    for h, u, d in zip(hours.tolist(), draws, depth, strict=True):
        if u > 1 - TRIPS_PER_DAY / 24:
            t0 = datetime.fromtimestamp(h * 3600 + (u * 1e6 % 3000) + 100, tz=UTC)
            if start <= t0 < end or (t0 < start < t0 + timedelta(minutes=10)):
                d = float(d)
                out.append(Trip(t0, 0.12 + 0.2 * d, 4.0 + 4 * d, 25.0 + 20 * d))
    return out


def system_frequency(seed: int, epoch_s: np.ndarray) -> np.ndarray:
    """Interconnection frequency (Hz) at the given Unix times."""
    hours = epoch_s / 3600.0
    hz = (
        NOMINAL_HZ
        + 0.014 * smooth_noise(seed, "freq-slow", hours, 1 / 30)
        + 0.004 * smooth_noise(seed, "freq-fast", hours, 1 / 360)
    )
    lo = datetime.fromtimestamp(float(epoch_s.min()), tz=UTC) - timedelta(minutes=10)
    hi = datetime.fromtimestamp(float(epoch_s.max()), tz=UTC) + timedelta(seconds=1)
    for trip in trips(seed, lo, hi):
        dt = epoch_s - trip.start.timestamp()
        falling = (dt >= 0) & (dt < trip.fall_s)
        recovering = dt >= trip.fall_s
        drop = np.where(falling, trip.nadir_drop_hz * dt / trip.fall_s, 0.0)
        drop = np.where(
            recovering,
            trip.nadir_drop_hz * np.exp(-np.clip(dt - trip.fall_s, 0, None) / trip.recovery_tau_s),
            drop,
        )
        hz = hz - drop
    return hz
