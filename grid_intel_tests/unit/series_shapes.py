"""Demand-shaped test series that no model here was tuned on: half-hourly, weeks long,
with daily and weekly cycles, weather-driven level swings, holidays and noise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl


def half_hourly_demand(
    days: int = 42, seed: int = 3, start: datetime | None = None
) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = start or datetime(2025, 5, 5, tzinfo=UTC)
    n = days * 48
    t = np.arange(n)
    hour = (t % 48) / 2
    dow = (t // 48 + start.weekday()) % 7
    morning = np.exp(-((hour - 8.0) ** 2) / 4)
    evening = 1.3 * np.exp(-((hour - 18.5) ** 2) / 5)
    night = -0.8 * np.exp(-((hour - 3.5) ** 2) / 6)
    daily = 900 * (morning + evening + night)
    weekly = np.where(dow >= 5, -600.0, 0.0) * (0.4 + 0.6 * (morning + evening))
    # Weather: a slow, persistent swing of several days plus a heat wave.
    weather = np.cumsum(rng.normal(0, 6, n))
    weather = (
        300 * np.sin(2 * np.pi * t / (48 * 9.5))
        + weather
        - np.convolve(weather, np.ones(48 * 5) / (48 * 5), mode="same")
    )
    holiday = np.zeros(n)
    holiday[(t // 48) == 18] = -450.0
    noise = np.zeros(n)
    eps = rng.normal(0, 45, n)
    for i in range(1, n):
        noise[i] = 0.85 * noise[i - 1] + eps[i]
    y = 6000 + daily + weekly + weather + holiday + noise
    ts = [start + timedelta(minutes=30 * i) for i in range(n)]
    return pl.DataFrame({"ts": ts, "demand_mw": y})
