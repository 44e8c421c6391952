"""Outages and work orders of any stretch of time, planned day by day and kept.

A day's events depend only on the seed, the registry and that day's weather,
so any window gives the same events whether asked for at once or in pieces.
Weather for days not yet planned is computed in one vectorised pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np

from grid_intel.grid.registry import Registry, build_registry
from grid_intel.simulation.customers import customers_by_breaker
from grid_intel.simulation.maintenance import Assets, WorkOrder, work_orders_on
from grid_intel.simulation.outages import DayWeather, Exposure, Outage, outages_on
from grid_intel.simulation.weather import (
    freezing_rain,
    precipitation_mm,
    temperature_c,
    wind_ms,
)

LOOKBACK = timedelta(days=2)  # longer than any outage (36 h at most) or work window


@dataclass(frozen=True)
class DayEvents:
    day: date
    outages: tuple[Outage, ...]
    work_orders: tuple[WorkOrder, ...]


class Events:
    """The seed's outages and work orders on a registry, cached per day."""

    def __init__(self, seed: int, registry: Registry) -> None:
        self.seed = seed
        self.registry = registry
        self._exposure = Exposure.of(registry)
        self._assets = Assets.of(registry)
        self._customers = customers_by_breaker(registry)
        self._days: dict[date, DayEvents] = {}

    def days(self, first: date, last: date) -> list[DayEvents]:
        """Events of each UTC day from `first` to `last` inclusive."""
        missing = [
            first + timedelta(days=i)
            for i in range((last - first).days + 1)
            if first + timedelta(days=i) not in self._days
        ]
        if missing:
            span = (missing[-1] - missing[0]).days + 1
            weather = self._weather(missing[0], span)
            for d in missing:
                wx = weather[(d - missing[0]).days]
                outages = outages_on(self.seed, d, wx, self._exposure, self._customers)
                orders = work_orders_on(self.seed, d, self._assets, outages)
                self._days[d] = DayEvents(d, tuple(outages), tuple(orders))
        return [self._days[first + timedelta(days=i)] for i in range((last - first).days + 1)]

    def outages(self, start: datetime, end: datetime) -> list[Outage]:
        """Outages starting in [start, end)."""
        return [
            o
            for d in self.days(_day(start), _day(end - timedelta(microseconds=1)))
            for o in d.outages
            if start <= o.start < end
        ]

    def work_orders(self, start: datetime, end: datetime) -> list[WorkOrder]:
        """Work orders of the UTC days [start, end) touches (by day of opening or schedule)."""
        return [
            w
            for d in self.days(_day(start), _day(end - timedelta(microseconds=1)))
            for w in d.work_orders
        ]

    def overlapping(self, start: datetime, end: datetime) -> tuple[list[Outage], list[WorkOrder]]:
        """Outages and completed work orders whose windows overlap [start, end)."""
        days = self.days(_day(start - LOOKBACK), _day(end - timedelta(microseconds=1)))
        outages = [o for d in days for o in d.outages if o.start < end and o.end > start]
        orders = [
            w
            for d in days
            for w in d.work_orders
            if w.opened is not None
            and w.completed is not None
            and w.opened < end
            and w.completed > start
        ]
        return outages, orders

    def _weather(self, first: date, days: int) -> list[DayWeather]:
        hours = days * 24
        t0 = np.datetime64(first.isoformat(), "s")
        ts = t0 + np.arange(hours) * np.timedelta64(3600, "s")
        temp, wind, precip, ice = [], [], [], []
        for region in self.registry.regions:
            t = temperature_c(self.seed, region, ts)
            p = precipitation_mm(self.seed, region, ts)
            temp.append(t)
            wind.append(wind_ms(self.seed, region, ts))
            precip.append(p)
            ice.append(freezing_rain(self.seed, region, ts, t, p))
        arrays = [np.stack(a).reshape(len(a), -1, 24) for a in (temp, wind, precip, ice)]
        return [DayWeather(*(a[:, i, :] for a in arrays)) for i in range(hours // 24)]


def _day(ts: datetime) -> date:
    return ts.astimezone(UTC).date()


@lru_cache(maxsize=8)
def standard_events(seed: int, scale: int) -> Events:
    """Events on the standard registry at `scale`, shared by everything in the process."""
    return Events(seed, build_registry(scale))
