"""SCADA scans: every RTU reports all its points each scan interval.

One hour at a time: weather, demand and dispatch set the operating point; the
transformer fleet's temperatures follow the IEEE C57.91 model minute by minute
(its state carries from hour to hour); lines and buses follow from that.
Breakers open and count operations as the simulated outages and maintenance
dictate (`switching`); dissolved gases grow with each unit's age. Values for an
hour depend only on the seed, the hour and the state carried in, so history
replays byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.grid.equipment import Line, Point, Substation
from grid_intel.grid.regions import REGIONS_BY_ID
from grid_intel.grid.registry import Registry, build_registry, hub_transformers
from grid_intel.health.thermal import (
    Rises,
    ThermalParams,
    advance,
    ultimate_hot_spot_rise,
    ultimate_top_oil_rise,
)
from grid_intel.simulation.demand import demand
from grid_intel.simulation.dispatch import dispatch
from grid_intel.simulation.events import Events, standard_events
from grid_intel.simulation.frequency import system_frequency
from grid_intel.simulation.gases import healthy_ppm
from grid_intel.simulation.switching import BreakerLog
from grid_intel.simulation.weather import weather

POWER_FACTOR = 0.95


@dataclass(frozen=True)
class Scan:
    rtu: str
    ts: datetime
    seq: int
    values: dict[str, float | None]
    quality: dict[str, str] = field(default_factory=dict)


class ScadaSimulator:
    def __init__(self, seed: int = 7, scale: int = 1, registry: Registry | None = None) -> None:
        self.seed = seed
        self.registry = registry or build_registry(scale)
        reg = self.registry
        events = standard_events(seed, scale) if registry is None else Events(seed, reg)
        breakers = [b.id for b in reg.breakers]
        self.breaker_log = BreakerLog(events, breakers)
        column = {p.id: j for j, p in enumerate(reg.points)}
        self._status_cols = np.array([column[f"{b}.status"] for b in breakers], dtype=int)
        self._count_cols = np.array([column[f"{b}.operation_count"] for b in breakers], dtype=int)
        self.txs = reg.transformers
        self.params = ThermalParams.of(self.txs)
        self.rises: Rises | None = None  # thermal state carried from hour to hour
        self._last: tuple[datetime, dict[str, np.ndarray]] | None = None
        self._tx_index = {t.id: i for i, t in enumerate(self.txs)}
        self._sub = {s.id: s for s in reg.substations}
        self._region_ids = [r.id for r in reg.regions]
        self._station_ids = [s.id for s in reg.stations]
        # Driver columns: region loads, station outputs, tie-line net exports.
        self._driver_ids = self._region_ids + self._station_ids + [t.id for t in reg.interties]
        self._driver_col = {d: j for j, d in enumerate(self._driver_ids)}
        self._weights = self._load_weights()
        self._points = reg.points
        self._tx_region = [self._region_ids.index(self._sub[t.substation].region) for t in self.txs]
        self._ambient_regions = np.zeros((60, len(self._region_ids)))
        # A line carries what its sending end produces (generation, the Bipoles) or what
        # its receiving end serves (hubs, distribution).
        self._line_tx = {
            ln.id: [
                self._tx_index[t.id] for t in self.txs if t.substation == _sending(ln, self._sub)
            ]
            for ln in reg.lines
        }

    def _load_weights(self) -> np.ndarray:
        """(transformers, drivers) weights turning the MW drivers into MVA."""
        reg = self.registry
        cols = self._driver_ids
        w = np.zeros((len(self.txs), len(cols)))
        per_region: dict[str, list[int]] = {}
        for i, t in enumerate(self.txs):
            sub = self._sub[t.substation]
            if sub.kind == "distribution":
                per_region.setdefault(sub.region, []).append(i)
        rng = np.random.default_rng([self.seed, 0xD15])
        for region, idx in per_region.items():
            share = rng.uniform(0.7, 1.3, len(idx))
            w[idx, cols.index(region)] = 0.85 * share / share.sum() / POWER_FACTOR
        for i, t in enumerate(self.txs):
            sub = self._sub[t.substation]
            if sub.kind == "generating" and sub.station:
                n = sum(1 for x in self.txs if x.substation == t.substation)
                w[i, cols.index(sub.station)] = 1 / n / POWER_FACTOR
            elif sub.kind == "transmission":
                n = hub_transformers(REGIONS_BY_ID[sub.region])
                w[i, cols.index(sub.region)] = 0.35 / n / POWER_FACTOR
            elif sub.kind == "converter":
                north = [
                    cols.index(s.id)
                    for s in reg.stations
                    if s.region == "north" and s.fuel == "hydro"
                ]
                w[i, north] = 0.8 / 10 / POWER_FACTOR  # ten converter transformers
        return w

    def drivers(self, hour: datetime) -> tuple[np.ndarray, np.ndarray, pl.DataFrame]:
        """Per-minute MW drivers (region loads, station outputs, tie net exports) and
        ambient per region, for one hour."""
        start = hour - timedelta(hours=1)
        w = weather(self.seed, start, hour + timedelta(hours=2))
        d = demand(self.seed, w)
        load = d.group_by("ts").agg(pl.col("demand_mw").sum()).sort("ts")
        wind = w.filter(pl.col("region") == "central").sort("ts")["wind_ms"].to_numpy()
        plan = dispatch(load["ts"], load["demand_mw"].to_numpy(), wind)
        gen = plan.generation
        minutes = np.arange(60) / 60.0

        def interp(series: np.ndarray) -> np.ndarray:  # values at hour-1, hour, hour+1, hour+2
            return np.interp(1 + minutes, np.arange(len(series)), series)

        cols = []
        for rid in self._region_ids:
            cols.append(
                interp(d.filter(pl.col("region") == rid).sort("ts")["demand_mw"].to_numpy())
            )
        for st in self.registry.stations:
            rows = gen.filter(pl.col("station") == st.id).sort("ts")["mw"].to_numpy()
            cols.append(interp(rows) if len(rows) else np.full(60, st.capacity_mw * 0.6))
        for tie in self.registry.interties:
            flow = plan.interchange.filter(pl.col("counterparty") == tie.counterparty)
            cols.append(interp(flow.sort("ts")["net_export_mw"].to_numpy()))
        ambient = np.stack(
            [
                interp(w.filter(pl.col("region") == rid).sort("ts")["temp_c"].to_numpy())
                for rid in self._region_ids
            ],
            axis=1,
        )
        return np.stack(cols, axis=1), ambient, w

    def hour(self, hour: datetime) -> dict[str, np.ndarray]:
        """Every scan of one hour: {"ts": epoch seconds, "values": (scans, points)}.

        The thermal state advances once per new hour; asking again for the hour just
        simulated returns it unchanged, so short windows (live mode) stay consistent.
        """
        hour = hour.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        if self._last is not None and self._last[0] == hour:
            return self._last[1]
        block = self._simulate_hour(hour)
        self._last = (hour, block)
        return block

    def _simulate_hour(self, hour: datetime) -> dict[str, np.ndarray]:
        mw, ambient_regions, _ = self.drivers(hour)
        self._ambient_regions = ambient_regions
        rng = np.random.default_rng([self.seed, int(hour.timestamp() // 3600)])
        mva = np.clip(mw @ self._weights.T, 0, None)  # (60, tx)
        k = mva / np.array([t.rating_mva for t in self.txs])
        amb_tx = ambient_regions[:, self._tx_region]
        top, hot = self._thermal(k, amb_tx)

        interval = self.registry.rtus[0].scan_interval_s
        scan_s = np.arange(0, 3600, interval)
        minute = (scan_s // 60).astype(int)
        epoch = hour.timestamp() + scan_s
        hz = system_frequency(self.seed, epoch)
        values = np.empty((len(scan_s), len(self._points)))
        for j, p in enumerate(self._points):
            values[:, j] = self._value(p, minute, epoch, mva, k, amb_tx, top, hot, mw, hz, rng)
        status, count = self.breaker_log.state(epoch)
        values[:, self._status_cols] = status
        values[:, self._count_cols] = count
        return {"ts": epoch, "values": values}

    def _thermal(self, k: np.ndarray, ambient: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Minute steps of the fleet's temperatures, continuing from the previous hour."""
        p = self.params
        if self.rises is None:
            self.rises = (ultimate_top_oil_rise(p, k[0]), ultimate_hot_spot_rise(p, k[0]))
        top, hot, self.rises = advance(p, k, ambient, 1.0, self.rises)
        return top, hot

    def _value(
        self,
        p: Point,
        minute: np.ndarray,
        epoch: np.ndarray,
        mva: np.ndarray,
        k: np.ndarray,
        amb: np.ndarray,
        top: np.ndarray,
        hot: np.ndarray,
        mw: np.ndarray,
        hz: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        n = len(minute)
        noise = rng.standard_normal(n)
        if p.asset_kind == "transformer":
            return self._transformer_value(p, minute, epoch, mva, k, amb, top, hot, noise)
        if p.asset_kind == "line":
            return self._line_value(p, minute, mva, amb, noise)
        if p.asset_kind == "breaker":
            return np.ones(n)  # set for all breakers at once from the breaker log
        if p.asset_kind in ("station", "region", "intertie"):
            return mw[minute, self._driver_col[p.asset]] * (1 + 0.002 * noise)
        if p.measurement == "frequency_hz":
            return hz + 0.0005 * noise
        return self._sub[p.asset].voltage_kv * (1.0 + 0.004 * noise)

    def _transformer_value(
        self,
        p: Point,
        minute: np.ndarray,
        epoch: np.ndarray,
        mva: np.ndarray,
        k: np.ndarray,
        amb: np.ndarray,
        top: np.ndarray,
        hot: np.ndarray,
        noise: np.ndarray,
    ) -> np.ndarray:
        i = self._tx_index[p.asset]
        m = p.measurement
        if m == "load_mva":
            return mva[minute, i] * (1 + 0.004 * noise)
        if m == "ambient_temp_c":
            return amb[minute, i] + 0.1 * noise
        if m == "top_oil_temp_c":
            return top[minute, i] + 0.2 * noise
        if m == "hot_spot_temp_c":
            return hot[minute, i] + 0.3 * noise
        if m == "tap_position":
            return np.round(np.clip((k[minute, i] - 0.6) * 10, -16, 16))
        gas = m.removesuffix("_ppm")
        return healthy_ppm(gas, self.txs[i].install_year, epoch) * (1 + 0.02 * noise)

    def _line_value(
        self, p: Point, minute: np.ndarray, mva: np.ndarray, amb: np.ndarray, noise: np.ndarray
    ) -> np.ndarray:
        line = self.registry.by_id[p.asset]
        tx = self._line_tx[p.asset]
        flow = mva[minute][:, tx].sum(axis=1) if tx else np.zeros(len(minute))
        amps = flow * 1e6 / (np.sqrt(3) * line.voltage_kv * 1e3)
        m = p.measurement
        if m == "current_a":
            return amps * (1 + 0.003 * noise)
        if m == "active_power_mw":
            return flow * POWER_FACTOR * (1 + 0.003 * noise)
        if m == "reactive_power_mvar":
            return flow * np.sqrt(1 - POWER_FACTOR**2) * (1 + 0.01 * noise)
        # Conductor temperature: ambient plus a rise with current squared, 75 °C at rating.
        region = self._region_ids.index(self._sub[line.from_substation].region)
        return (
            self._ambient_regions[minute, region] + 75.0 * (amps / line.rating_a) ** 2 + 0.2 * noise
        )

    def scans(
        self,
        start: datetime,
        end: datetime,
        transform: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
        every: int = 1,
    ) -> Iterator[Scan]:
        """Every RTU's scans in [start, end), simulated hour by hour (only every
        `every`-th scan cycle when thinned, for light histories).

        `transform(values, epoch_s)` may alter an hour's values (fault injection);
        NaN becomes a missing value with quality "bad".
        """
        hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        by_rtu = self._rtu_columns()
        while hour < end:
            block = self.hour(hour)
            values = (
                block["values"] if transform is None else transform(block["values"], block["ts"])
            )
            for row, epoch in enumerate(block["ts"]):
                if row % every:
                    continue
                ts = datetime.fromtimestamp(float(epoch), tz=UTC)
                if not start <= ts < end:
                    continue
                seq = int(epoch // self.registry.rtus[0].scan_interval_s)
                for rtu, (ids, cols) in by_rtu.items():
                    vals = np.round(values[row, cols], 4)
                    missing = np.isnan(vals)
                    as_list = [
                        None if m else v for v, m in zip(vals.tolist(), missing, strict=True)
                    ]
                    bad = {pid: "bad" for pid, m in zip(ids, missing, strict=True) if m}
                    yield Scan(rtu, ts, seq, dict(zip(ids, as_list, strict=True)), bad)
            hour += timedelta(hours=1)

    @property
    def columns(self) -> dict[str, int]:
        """Point id -> column of the values matrix."""
        return {p.id: j for j, p in enumerate(self._points)}

    def _rtu_columns(self) -> dict[str, tuple[list[str], np.ndarray]]:
        col = {p.id: j for j, p in enumerate(self._points)}
        return {
            rtu: ([p.id for p in pts], np.array([col[p.id] for p in pts]))
            for rtu, pts in self.registry.points_by_rtu.items()
        }


def _sending(line: Line, subs: dict[str, Substation]) -> str:
    source = subs[line.from_substation]
    return source.id if line.hvdc or source.kind == "generating" else line.to_substation
