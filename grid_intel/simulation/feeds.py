"""One simulated hour of every feed, as messages ready for Kafka."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.grid.regions import REGIONS, REGIONS_BY_ID
from grid_intel.simulation.faults import (
    STREAM_FAULTS,
    Fault,
    apply_to_values,
    checked_kinds,
    plan,
)
from grid_intel.simulation.frequency import system_frequency, trips
from grid_intel.simulation.market import lmp
from grid_intel.simulation.messages import (
    Message,
    frequency_messages,
    price_messages,
    scan_message,
)
from grid_intel.simulation.noise import smooth_noise
from grid_intel.simulation.scada import ScadaSimulator, Scan
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
    """Generates the messages of every topic hour by hour, deterministically per seed,
    with the chosen faults injected (none by default)."""

    def __init__(
        self,
        seed: int = 7,
        scale: int = 1,
        faults: Iterable[str] = (),
        faults_per_day: float = 2.0,
        scan_seconds: int | None = None,
        frequency_seconds: int | None = None,
    ) -> None:
        self.seed = seed
        self.scada = ScadaSimulator(seed=seed, scale=scale)
        interval = int(self.scada.registry.rtus[0].scan_interval_s)
        if scan_seconds is not None and (scan_seconds < interval or scan_seconds % interval):
            raise ValueError(f"scan_seconds must be a multiple of the {interval} s scan interval")
        # SCADA at one scan cycle per `scan_seconds` (all by default): a week of history
        # for rehearsing backfills without the full 1.9 M readings an hour.
        self.scan_every = (scan_seconds or interval) // interval
        # Frequency at one sample per `frequency_seconds` (every 2 s by default): the
        # demo's older history, which only rollups and forecasts read.
        if frequency_seconds is not None and (
            frequency_seconds < FREQUENCY_STEP_S or frequency_seconds % FREQUENCY_STEP_S
        ):
            raise ValueError(f"frequency_seconds must be a multiple of {FREQUENCY_STEP_S} s")
        self.frequency_seconds = frequency_seconds or FREQUENCY_STEP_S
        self.fault_kinds = checked_kinds(faults)
        self.faults_per_day = faults_per_day
        self._substation = {r.id: r.substation for r in self.scada.registry.rtus}
        self._late: list[tuple[int, Message]] = []
        self._held: dict[tuple[str, str, datetime], float] = {}
        self.last_block: tuple[np.ndarray, np.ndarray] | None = None  # the hour just sent

    def faults(self, start: datetime, end: datetime) -> list[Fault]:
        """Ground truth: the injected faults (and unit trips) overlapping [start, end)."""
        labels = plan(
            self.seed, self.scada.registry, start, end, self.fault_kinds, self.faults_per_day
        )
        if self.fault_kinds:
            labels += [
                Fault(
                    "frequency_excursion",
                    "system",
                    t.start,
                    t.end,
                    (),
                    {"nadir_drop_hz": round(t.nadir_drop_hz, 4)},
                )
                for t in trips(self.seed, start, end)
            ]
        return sorted(labels, key=lambda f: (f.start, f.kind, f.asset))

    def messages(self, start: datetime, end: datetime) -> Iterator[Message]:
        """Every topic's messages with event time in [start, end), hour by hour.

        Late messages come out when the stream has moved on past their delay (or
        from `flush_late` at the end of a run); their record time stays the event time.
        """
        hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        columns = self.scada.columns
        while hour < end:
            lo, hi = max(hour, start), min(hour + timedelta(hours=1), end)
            faults = plan(
                self.seed, self.scada.registry, lo, hi, self.fault_kinds, self.faults_per_day
            )
            stream = [f for f in faults if f.kind in STREAM_FAULTS]
            prices = price_messages(price_frame(self.seed, hour))
            yield from (m for m in prices if start_ms <= m.timestamp_ms < end_ms)
            frequency = frequency_frame(self.seed, lo, hi)
            if self.frequency_seconds > FREQUENCY_STEP_S:
                every = pl.col("ts").dt.epoch("s") % self.frequency_seconds == 0
                frequency = frequency.filter(every)
            yield from frequency_messages(frequency)

            def inject(
                values: np.ndarray, epoch: np.ndarray, fs: list[Fault] = faults
            ) -> np.ndarray:
                faulted = apply_to_values(values, epoch, columns, fs, self._held)
                self.last_block = (epoch, faulted)
                return faulted

            block = self.scada.hour(hour)
            self.last_block = (block["ts"], block["values"])
            for scan in self.scada.scans(lo, hi, inject if faults else None, self.scan_every):
                yield from self._due(scan.ts)
                yield from self._stream_faults(
                    scan_message(scan, self._substation[scan.rtu]), scan, stream
                )
            hour += timedelta(hours=1)

    def flush_late(self) -> Iterator[Message]:
        """Late messages still held back when a run ends."""
        held, self._late = self._late, []
        yield from (m for _, m in sorted(held, key=lambda x: x[0]))

    def _due(self, now: datetime) -> Iterator[Message]:
        now_ms = int(now.timestamp() * 1000)
        if self._late and self._late[0][0] <= now_ms:
            due = [x for x in self._late if x[0] <= now_ms]
            self._late = [x for x in self._late if x[0] > now_ms]
            yield from (m for _, m in sorted(due, key=lambda x: x[0]))

    def _stream_faults(self, msg: Message, scan: Scan, faults: list[Fault]) -> Iterator[Message]:
        hit = next((f for f in faults if f.asset == scan.rtu and f.covers(scan.ts)), None)
        if hit is None:
            yield msg
        elif hit.kind == "duplicate_message":
            yield msg
            yield msg
        elif hit.kind == "malformed_message":
            yield replace(msg, value=msg.value[: len(msg.value) // 2] + b"\x00garbage")
        elif hit.kind == "late_message":
            delay_ms = int((10 + 30 * hit.detail.get("magnitude", 1.0) / 1.5) * 60_000)
            self._late.append((msg.timestamp_ms + delay_ms, msg))
            self._late.sort(key=lambda x: x[0])
        # data_gap: the RTU sends nothing
