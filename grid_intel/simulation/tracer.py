"""Tracer feed: plausible grid.frequency readings per region, enough to prove the path.

The grid simulator replaces this with a physical model; the frequency here is
60 Hz plus a slow AR(1) wander shared by the interconnection and small
per-region measurement noise, so RoCoF and band flags behave like real data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from kafka import KafkaProducer

from grid_intel.grid.regions import REGIONS as GRID_REGIONS
from grid_intel.kafka.codec import FrequencyReading, encode_frequency
from grid_intel.kafka.topics import GRID_FREQUENCY
from grid_intel.kafka.windows import to_ms

REGIONS = tuple(r.id for r in GRID_REGIONS)


def frequency_readings(
    start: datetime, end: datetime, step: timedelta = timedelta(seconds=10), seed: int = 7
) -> Iterator[FrequencyReading]:
    """Readings for every region at every step in [start, end), deterministic per seed."""
    rng = random.Random(seed)
    wander, t = 0.0, start
    previous: dict[str, float] = {}
    while t < end:
        wander = 0.97 * wander + rng.gauss(0.0, 0.004)
        for region in REGIONS:
            hz = round(60.0 + wander + rng.gauss(0.0, 0.0015), 4)
            rocof = round((hz - previous.get(region, hz)) / step.total_seconds(), 5)
            previous[region] = hz
            yield FrequencyReading(t, region, hz, rocof)
        t += step


def publish(producer: KafkaProducer, readings: Iterator[FrequencyReading]) -> int:
    """Send readings keyed by region, stamped with their event time; returns the count."""
    sent = 0
    for r in readings:
        producer.send(
            GRID_FREQUENCY.name,
            key=r.region.encode(),
            value=encode_frequency(r),
            timestamp_ms=to_ms(r.ts),
        )
        sent += 1
    producer.flush()
    return sent
