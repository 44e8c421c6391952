"""Customer outages at distribution substations, planned per UTC day from the seed.

Each outage is a breaker at a distribution substation opening: the supply
line's (the whole substation's customers) or a transformer's (half of them).
Rates per asset-year and cause are modelling assumptions chosen to give IEEE
1366 indices like a Canadian utility's: SAIFI about 1.5 interruptions and SAIDI
about 3 hours per customer a year, plus a few momentary interruptions (< 5
min, reclosing; counted in MAIFI, not SAIFI). Weather drives the hazard hour by
hour: wind, freezing rain and thunderstorms bring line faults and trees down;
heat and deep cold strain equipment; animals are busier in the warm months.
Planned outages (announced line work) fall on working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from grid_intel.grid.calendar import is_holiday
from grid_intel.grid.records import MOMENTARY_S, OUTAGE_CAUSES
from grid_intel.grid.registry import Registry
from grid_intel.simulation.weather import UTC_OFFSET_H

CAUSES = OUTAGE_CAUSES
UNPLANNED = CAUSES[:-1]
MAX_DURATION = timedelta(hours=36)
HOURS_PER_YEAR = 8766.0
WORKING_DAYS_PER_YEAR = 252.0

# Events per asset-year in calm weather, all durations, by cause (UNPLANNED order).
# A line's rate is per unit of exposure (0.3 + 2 per 100 km): longer lines see more faults.
LINE_RATE = np.array([1.0, 0.65, 0.35, 0.15, 0.07, 0.69])
TRANSFORMER_RATE = np.array([0.07, 0.0, 0.12, 0.09, 0.01, 0.05])
# Share of events that clear on reclosing (momentary), by cause.
LINE_MOMENTARY = np.array([0.60, 0.45, 0.50, 0.10, 0.20, 0.75])
TRANSFORMER_MOMENTARY = np.array([0.15, 0.0, 0.30, 0.02, 0.0, 0.40])
# Sustained durations: lognormal median (minutes) and sigma, by cause (CAUSES order).
DURATION_MEDIAN_MIN = np.array([100.0, 90.0, 45.0, 120.0, 100.0, 40.0, 180.0])
DURATION_SIGMA = np.array([0.8, 0.7, 0.6, 0.7, 0.6, 0.7, 0.3])
PLANNED_PER_LINE_YEAR = 0.12


@dataclass(frozen=True)
class Outage:
    id: str
    start: datetime
    end: datetime
    breaker: str  # the breaker at the distribution substation that opened
    protects: str  # the line or transformer it protects
    substation: str
    region: str
    customers: int
    cause: str

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def momentary(self) -> bool:
        return self.duration_s < MOMENTARY_S

    @property
    def customer_minutes(self) -> float:
        return self.customers * self.duration_s / 60.0


@dataclass(frozen=True)
class DayWeather:
    """Hourly drivers of one UTC day, (regions, 24) each, regions in registry order."""

    temp_c: np.ndarray
    wind_ms: np.ndarray
    precip_mm: np.ndarray
    freezing_rain: np.ndarray


@dataclass(frozen=True)
class Exposure:
    """Which breakers can interrupt customers, grouped by region, with their weights."""

    breakers: list[list[str]]  # per region: supply-line breakers at distribution substations
    line_weight: list[np.ndarray]
    transformers: list[list[str]]  # per region: transformer breakers at distribution substations
    protects: dict[str, str]
    substation: dict[str, str]
    region: dict[str, str]

    @classmethod
    def of(cls, registry: Registry) -> Exposure:
        dist = {s.id: s for s in registry.substations if s.kind == "distribution"}
        regions = [r.id for r in registry.regions]
        lines = {ln.id: ln for ln in registry.lines}
        line_b: list[list[str]] = [[] for _ in regions]
        weight: list[list[float]] = [[] for _ in regions]
        tx_b: list[list[str]] = [[] for _ in regions]
        for b in registry.breakers:
            if b.substation not in dist:
                continue
            r = regions.index(dist[b.substation].region)
            if b.protects in lines:
                line_b[r].append(b.id)
                weight[r].append(0.3 + 2.0 * lines[b.protects].length_km / 100.0)
            else:
                tx_b[r].append(b.id)
        return cls(
            line_b,
            [np.array(w) for w in weight],
            tx_b,
            {b.id: b.protects for b in registry.breakers},
            {b.id: b.substation for b in registry.breakers},
            {b.id: dist[b.substation].region for b in registry.breakers if b.substation in dist},
        )


def stress(w: DayWeather) -> np.ndarray:
    """Hazard multipliers (unplanned causes, regions, 24) from the weather; 1 on average."""
    gale = np.clip((w.wind_ms - 9.0) / 4.0, 0, None) ** 2
    wet = w.precip_mm > 0
    thunder = wet & (w.temp_c > 18.0)
    ice = w.freezing_rain.astype(float)
    warm = (w.temp_c > 0).astype(float)
    return np.stack(
        [
            0.33 + 1.85 * gale + 7.4 * ice + 3.0 * thunder + 0.45 * wet,  # weather
            (0.28 + 0.62 * (w.temp_c > 8)) * (1 + 3.0 * gale + 0.8 * wet + 6.0 * ice),  # trees
            0.45 + 1.1 * warm,  # animal
            0.99
            + 0.15 * np.clip(w.temp_c - 27, 0, None)
            + 0.05 * np.clip(-28 - w.temp_c, 0, None),  # equipment
            np.ones_like(w.temp_c),  # third party
            0.7 + 0.87 * gale + 0.43 * wet,  # unknown
        ]
    )


def outages_on(
    seed: int,
    day: date,
    weather: DayWeather,
    exposure: Exposure,
    customers: dict[str, int],
) -> list[Outage]:
    """The outages starting on UTC `day`, ids OUT-YYYYMMDD-NNNN in start order."""
    rng = np.random.default_rng([seed, 0x0_7A6E, day.toordinal()])
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    hazard = stress(weather) / HOURS_PER_YEAR  # (cause, region, hour)
    rows: list[tuple[int, str, str, float]] = []  # (start second, breaker, cause, duration s)
    for r in range(len(exposure.breakers)):
        line_exposure = exposure.line_weight[r].sum()
        n_tx = len(exposure.transformers[r])
        for kind, rate, p_momentary, assets, weights in (
            ("line", LINE_RATE, LINE_MOMENTARY, exposure.breakers[r], exposure.line_weight[r]),
            ("tx", TRANSFORMER_RATE, TRANSFORMER_MOMENTARY, exposure.transformers[r], None),
        ):
            scale = line_exposure if kind == "line" else n_tx
            lam = rate[:, None] * scale * hazard[:, r, :]  # (cause, hour)
            counts = rng.poisson(lam)
            for c, h in zip(*np.nonzero(counts), strict=True):
                for _ in range(int(counts[c, h])):
                    p = None if weights is None else weights / weights.sum()
                    breaker = assets[int(rng.choice(len(assets), p=p))]
                    second = int(h) * 3600 + int(rng.integers(3600))
                    if rng.random() < p_momentary[c]:
                        duration = float(np.exp(rng.uniform(np.log(8.0), np.log(240.0))))
                    else:
                        duration = _sustained_s(rng, int(c))
                    rows.append((second, breaker, UNPLANNED[c], round(duration)))
    rows += _planned(rng, day, exposure)
    rows.sort(key=lambda x: (x[0], x[1]))
    out = []
    for n, (second, breaker, cause, duration) in enumerate(rows, start=1):
        start = midnight + timedelta(seconds=second)
        out.append(
            Outage(
                f"OUT-{day:%Y%m%d}-{n:04d}",
                start,
                start + timedelta(seconds=duration),
                breaker,
                exposure.protects[breaker],
                exposure.substation[breaker],
                exposure.region[breaker],
                customers[breaker],
                cause,
            )
        )
    return out


def _sustained_s(rng: np.random.Generator, cause: int) -> float:
    minutes = DURATION_MEDIAN_MIN[cause] * np.exp(DURATION_SIGMA[cause] * rng.standard_normal())
    return float(np.clip(minutes * 60, MOMENTARY_S + 30, MAX_DURATION.total_seconds()))


def _planned(
    rng: np.random.Generator, day: date, exposure: Exposure
) -> list[tuple[int, str, str, float]]:
    """Announced line work on working days, starting 09:00-14:00 local time."""
    if day.weekday() >= 5 or is_holiday(day):
        return []
    lines = [b for region in exposure.breakers for b in region]
    n = rng.poisson(len(lines) * PLANNED_PER_LINE_YEAR / WORKING_DAYS_PER_YEAR)
    out = []
    for _ in range(int(n)):
        breaker = lines[int(rng.integers(len(lines)))]
        local_start = 9 * 3600 + 900 * int(rng.integers(21))  # quarter hours, 09:00-14:00
        second = int(local_start - UTC_OFFSET_H * 3600)
        out.append((second, breaker, "planned", round(_sustained_s(rng, CAUSES.index("planned")))))
    return out
