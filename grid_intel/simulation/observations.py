"""Hourly observations at one climate station per region, as a weather archive reports them.

Temperature, wind, cloud and precipitation come from the regional weather
model; what a station adds is derived from them: dew point (a depression that
is small in winter and on wet hours, larger on summer afternoons), relative
humidity (Magnus formula), station pressure (elevation plus synoptic swings),
a wind direction (north-westerly in winter, southerly in summer) and 10 m wind
speed (hub-height wind scaled down by the 1/7 power law), visibility, and
Environment Canada's humidex and wind chill where they apply.

Station names and coordinates are plausible (the main airport or climate site
of each region); the climate IDs are illustrative, in ECCC's 7-character form,
and not checked against ECCC's station inventory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from grid_intel.grid.regions import REGIONS_BY_ID
from grid_intel.simulation.noise import epoch_hours, smooth_noise
from grid_intel.simulation.weather import (
    UTC_OFFSET_H,
    clearness,
    freezing_rain,
    precipitation_mm,
    temperature_c,
    wind_ms,
)

HUB_TO_10M = (10.0 / 80.0) ** (1 / 7)  # power-law shear from an 80 m hub to 10 m
CLEAR_VISIBILITY_KM = 24.1


@dataclass(frozen=True)
class ClimateStation:
    region: str
    name: str
    climate_id: str
    lat: float
    lon: float
    elevation_m: float


STATIONS: tuple[ClimateStation, ...] = (
    ClimateStation("winnipeg", "WINNIPEG RICHARDSON INT'L A", "502S001", 49.92, -97.23, 238.7),
    ClimateStation("westman", "BRANDON A", "5010481", 49.91, -99.95, 409.0),
    ClimateStation("eastman", "PINAWA", "5032162", 50.18, -96.06, 267.0),
    ClimateStation("central", "MORDEN CDA", "5021848", 49.19, -98.08, 297.0),
    ClimateStation("interlake", "GIMLI CLIMATE", "5031039", 50.63, -97.05, 223.0),
    ClimateStation("parkland", "DAUPHIN A", "5040681", 51.10, -100.05, 304.0),
    ClimateStation("north", "THOMPSON A", "5062922", 55.80, -97.86, 224.0),
)

COLUMNS = (
    "ts",
    "temp_c",
    "dew_point_c",
    "rel_hum_pct",
    "precip_mm",
    "wind_dir_deg",
    "wind_speed_kmh",
    "visibility_km",
    "station_pressure_kpa",
    "humidex",
    "wind_chill",
    "weather",
)


def relative_humidity(temp_c: np.ndarray, dew_point_c: np.ndarray) -> np.ndarray:
    """Percent, from the Magnus approximation of saturation vapour pressure."""

    def es(t: np.ndarray) -> np.ndarray:
        return np.exp(17.625 * t / (243.04 + t))

    return np.clip(100.0 * es(dew_point_c) / es(temp_c), 1.0, 100.0)


def humidex(temp_c: np.ndarray, dew_point_c: np.ndarray) -> np.ndarray:
    """Environment Canada's humidex; reported (else NaN) from 20 °C when it reaches 25."""
    e = 6.11 * np.exp(5417.7530 * (1 / 273.16 - 1 / (273.15 + dew_point_c)))
    h = temp_c + 0.5555 * (e - 10.0)
    return np.where((temp_c >= 20.0) & (h >= 25.0), h, np.nan)


def wind_chill(temp_c: np.ndarray, wind_kmh: np.ndarray) -> np.ndarray:
    """Environment Canada's wind chill index; reported (else NaN) at 0 °C or below in wind."""
    v = np.power(np.clip(wind_kmh, 5.0, None), 0.16)
    w = 13.12 + 0.6215 * temp_c - 11.37 * v + 0.3965 * temp_c * v
    return np.where((temp_c <= 0.0) & (wind_kmh >= 5.0), w, np.nan)


def station_hours(seed: int, station: ClimateStation, ts: np.ndarray) -> pl.DataFrame:
    """Observations at `ts` (naive-UTC datetime64, hourly) in COLUMNS order; ts in UTC."""
    region = REGIONS_BY_ID[station.region]
    hours = epoch_hours(ts)
    local_hour = (hours + UTC_OFFSET_H) % 24
    temp = temperature_c(seed, region, ts)
    precip = precipitation_mm(seed, region, ts)
    wet = precip > 0
    afternoon = 1 + 0.3 * np.sin(2 * np.pi * (local_hour - 9.0) / 24)
    depression = (
        (2.0 + 0.2 * np.clip(temp + 10, 0, 40))
        * afternoon
        * np.exp(0.35 * smooth_noise(seed, f"dew/{region.id}", hours, 12.0))
    )
    dew = temp - np.where(wet, 0.25, 1.0) * depression
    speed = wind_ms(seed, region, ts) * HUB_TO_10M * 3.6
    calm = speed < 1.0
    prevailing = np.where(temp < 0, 300.0, 190.0)
    direction = (prevailing + 70 * smooth_noise(seed, f"wind-dir/{region.id}", hours, 18.0)) % 360
    direction = np.where(calm, 0.0, np.where(direction < 5, 360.0, direction))
    snow = wet & (temp <= 0.5)
    visibility = CLEAR_VISIBILITY_KM / (1 + np.where(snow, 6.0, 1.5) * precip)
    pressure = (
        101.325 * np.exp(-station.elevation_m / 8434.0)
        + 1.1 * smooth_noise(seed, "pressure", hours, 36.0)
        - 0.4 * precip
    )
    ice = freezing_rain(seed, region, ts, temp, precip)
    return pl.DataFrame(
        {
            "ts": ts.astype("datetime64[us]"),
            "temp_c": temp,
            "dew_point_c": dew,
            "rel_hum_pct": relative_humidity(temp, dew),
            "precip_mm": precip,
            "wind_dir_deg": direction,
            "wind_speed_kmh": np.where(calm, 0.0, speed),
            "visibility_km": visibility,
            "station_pressure_kpa": pressure,
            "humidex": humidex(temp, dew),
            "wind_chill": wind_chill(temp, speed),
            "weather": _sky(clearness(seed, region, ts), precip, temp, ice),
        },
        nan_to_null=True,
    ).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))


def _sky(clear: np.ndarray, precip: np.ndarray, temp: np.ndarray, ice: np.ndarray) -> list[str]:
    """ECCC-style weather descriptions."""
    out = np.select(
        [clear > 0.85, clear > 0.65, clear > 0.4],
        ["Clear", "Mainly Clear", "Mostly Cloudy"],
        "Cloudy",
    ).astype(object)
    wet = precip > 0
    out[wet & (temp <= 0.5)] = "Snow"
    out[wet & (temp > 0.5)] = "Rain"
    out[wet & (temp > 18.0) & (precip > 0.6)] = "Thunderstorms,Rain"
    out[ice] = "Freezing Rain"
    return out.tolist()


def observations(seed: int, start: datetime, end: datetime) -> dict[str, pl.DataFrame]:
    """Hourly observations in [start, end) UTC for every station, by climate ID."""
    ts = np.arange(
        np.datetime64(start.replace(tzinfo=None), "h"),
        np.datetime64(end.replace(tzinfo=None), "h"),
        np.timedelta64(1, "h"),
    ).astype("datetime64[s]")
    return {s.climate_id: station_hours(seed, s, ts) for s in STATIONS}
