"""Hourly weather per region: temperature, wind, solar irradiance, cloud and precipitation.

Winnipeg's climate (reference: January mean -16 °C, July mean +20 °C) sets the
seasonal cycle; a diurnal cycle peaks mid-afternoon local time; smooth synoptic
anomalies (multi-day weather systems) are larger in winter. Cold snaps and heat
waves are drawn per season. Every value depends only on (seed, region, time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from grid_intel.grid.regions import REGIONS, Region
from grid_intel.simulation.noise import epoch_hours, knot_values, smooth_noise

ANNUAL_MEAN_C = 2.0  # midpoint of the -16 °C January and +20 °C July means
SEASONAL_AMPLITUDE_C = 18.0
COLDEST_DAY = 18  # day of year of the coldest mean (mid-January)
UTC_OFFSET_H = -6.0  # Manitoba standard time; weather follows the sun, not DST
SOLAR_CONSTANT = 1361.0
PRECIP_THRESHOLD = 1.2  # cloud noise below minus this precipitates
PRECIP_MM_PER_UNIT = 1.0


@dataclass(frozen=True)
class WeatherEvents:
    """Cold snaps and heat waves: a few per season, each a smooth multi-day bump."""

    snaps_per_winter: int = 3
    snap_depth_c: float = 8.0
    waves_per_summer: int = 2
    wave_height_c: float = 7.0


def _day_of_year(hours: np.ndarray) -> np.ndarray:
    days = (hours / 24.0).astype(np.int64).astype("datetime64[D]")
    years = days.astype("datetime64[Y]")
    return (days - years).astype(np.int64) + 1 + (hours % 24.0) / 24.0


def seasonal_mean_c(day_of_year: np.ndarray) -> np.ndarray:
    return ANNUAL_MEAN_C - SEASONAL_AMPLITUDE_C * np.cos(
        2 * np.pi * (day_of_year - COLDEST_DAY) / 365.25
    )


def _events(seed: int, hours: np.ndarray, ev: WeatherEvents) -> np.ndarray:
    """Province-wide cold-snap (negative) and heat-wave (positive) anomalies."""
    out = np.zeros_like(hours)
    years = np.unique((hours / (24 * 365.25)).astype(np.int64))
    for y in years.tolist():
        year_start = y * 365.25 * 24
        draws = knot_values(
            seed, f"events/{y}", np.arange(4 * (ev.snaps_per_winter + ev.waves_per_summer))
        )
        u = 0.5 * (1 + np.tanh(draws))  # map normals to (0, 1)
        specs = []
        for i in range(ev.snaps_per_winter):  # centred Dec-Feb (days -20..50 of the year)
            specs.append(
                (
                    -20 + 70 * u[4 * i],
                    2 + 4 * u[4 * i + 1],
                    -ev.snap_depth_c * (0.7 + 0.6 * u[4 * i + 2]),
                )
            )
        for j in range(ev.waves_per_summer):  # centred late June-August
            k = 4 * (ev.snaps_per_winter + j)
            specs.append(
                (175 + 60 * u[k], 2 + 3 * u[k + 1], ev.wave_height_c * (0.7 + 0.6 * u[k + 2]))
            )
        for centre_day, length_days, size in specs:
            centre = year_start + centre_day * 24
            half = length_days * 12
            x = (hours - centre) / half
            out += size * np.where(
                np.abs(x) < 1.5, np.cos(np.clip(x, -1.5, 1.5) * np.pi / 3) ** 2, 0.0
            )
    return out


def temperature_c(
    seed: int, region: Region, ts: np.ndarray, events: WeatherEvents | None = None
) -> np.ndarray:
    hours = epoch_hours(ts)
    doy = _day_of_year(hours)
    winterness = 0.5 * (1 - np.cos(2 * np.pi * (doy - COLDEST_DAY - 182.6) / 365.25))
    local_hour = (hours + UTC_OFFSET_H) % 24
    diurnal = (4.0 + 2.0 * (1 - winterness)) * np.sin(2 * np.pi * (local_hour - 9.0) / 24)
    synoptic = (3.5 + 2.5 * winterness) * (
        0.8 * smooth_noise(seed, "synoptic", hours, 72.0)
        + 0.6 * smooth_noise(seed, f"local/{region.id}", hours, 18.0)
    )
    ev = _events(seed, hours, events or WeatherEvents())
    return seasonal_mean_c(doy) + region.temp_offset_c + diurnal + synoptic + ev


def wind_ms(seed: int, region: Region, ts: np.ndarray) -> np.ndarray:
    """Hub-height-ish wind speed: log-normal around ~6 m/s, windier by day and on the plains."""
    hours = epoch_hours(ts)
    local_hour = (hours + UTC_OFFSET_H) % 24
    site = 1.15 if region.id in ("central", "westman") else 1.0
    log_w = (
        np.log(5.5 * site)
        + 0.45 * smooth_noise(seed, f"wind/{region.id}", hours, 12.0)
        + 0.25 * smooth_noise(seed, "wind/synoptic", hours, 48.0)
        + 0.08 * np.sin(2 * np.pi * (local_hour - 9.0) / 24)
    )
    return np.exp(log_w)


def ghi_wm2(seed: int, region: Region, ts: np.ndarray) -> np.ndarray:
    """Global horizontal irradiance: clear-sky from the sun's elevation, dimmed by cloud."""
    hours = epoch_hours(ts)
    doy = _day_of_year(hours)
    decl = np.radians(23.44) * np.sin(2 * np.pi * (doy - 81) / 365.25)
    solar_time = (hours + region.lon / 15.0) % 24
    hour_angle = np.radians(15.0 * (solar_time - 12.0))
    lat = np.radians(region.lat)
    sin_elev = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    clear = np.where(sin_elev > 0, 0.75 * SOLAR_CONSTANT * np.clip(sin_elev, 0, None) ** 1.15, 0.0)
    return clear * (0.25 + 0.75 * clearness(seed, region, ts))


def _cloud_noise(seed: int, region: Region, hours: np.ndarray) -> np.ndarray:
    return smooth_noise(seed, f"cloud/{region.id}", hours, 8.0)


def clearness(seed: int, region: Region, ts: np.ndarray) -> np.ndarray:
    """Share of clear sky, 0 (overcast) to 1 (clear): dims irradiance, sets the sky reported."""
    return 1 / (1 + np.exp(-(0.6 + 1.2 * _cloud_noise(seed, region, epoch_hours(ts)))))


def precipitation_mm(seed: int, region: Region, ts: np.ndarray) -> np.ndarray:
    """Hourly precipitation (mm water): it falls in the cloudiest ~12 % of hours.

    Multi-hour events follow the cloud cover, about 500 mm a year in all.
    """
    z = _cloud_noise(seed, region, epoch_hours(ts))
    return np.clip(-z - PRECIP_THRESHOLD, 0, None) * PRECIP_MM_PER_UNIT


def freezing_rain(
    seed: int, region: Region, ts: np.ndarray, temp_c: np.ndarray, precip_mm: np.ndarray
) -> np.ndarray:
    """Whether precipitation near freezing falls as freezing rain (a warm layer aloft)."""
    warm_aloft = smooth_noise(seed, f"warm-layer/{region.id}", epoch_hours(ts), 24.0) > 0.8
    return (precip_mm > 0) & (temp_c > -4.0) & (temp_c <= 0.5) & warm_aloft


def weather(
    seed: int,
    start: datetime,
    end: datetime,
    step_s: int = 3600,
    regions: tuple[Region, ...] = REGIONS,
) -> pl.DataFrame:
    """Weather for every region at every step of [start, end), UTC."""
    ts = np.arange(
        np.datetime64(start.replace(tzinfo=None), "s"),
        np.datetime64(end.replace(tzinfo=None), "s"),
        np.timedelta64(step_s, "s"),
    )
    frames = [
        pl.DataFrame(
            {
                "ts": ts.astype("datetime64[us]"),
                "region": r.id,
                "temp_c": temperature_c(seed, r, ts),
                "wind_ms": wind_ms(seed, r, ts),
                "ghi_wm2": ghi_wm2(seed, r, ts),
            }
        )
        for r in regions
    ]
    return pl.concat(frames).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
