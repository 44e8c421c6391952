"""`bench simulate`: readings/s the simulator publishes into the broker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from grid_intel.bench.report import START
from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.producer import PublishStats, history, publish


def bench_simulate(
    settings: Settings, minutes: float, scales: list[int], progress: Callable[[str], None]
) -> dict[str, object]:
    """Readings/s produced into the broker, against generation alone and a raw producer."""
    end = START + timedelta(minutes=minutes)
    report: dict[str, object] = {"benchmark": "simulate", "simulated_minutes": minutes, "runs": []}
    for scale in scales:
        feeds = Feeds(seed=1, scale=scale)
        t0 = time.perf_counter()
        messages = list(feeds.messages(START, end))  # generation and encoding only
        gen_s = time.perf_counter() - t0
        readings = sum(m.readings for m in messages)

        with settings.kafka_producer(bulk=True) as p:
            raw = PublishStats()
            t0 = time.perf_counter()
            publish(p, messages, raw)  # baseline: the same bytes, already built
            p.flush()
            raw_s = time.perf_counter() - t0
            full = history(p, Feeds(seed=1, scale=scale), START, end, lambda _m: None)
        run = {
            "scale": scale,
            "points": len(feeds.scada.registry.points),
            "readings": readings,
            "generate_readings_per_s": round(readings / gen_s),
            "raw_producer_readings_per_s": round(readings / raw_s),
            "simulate_to_kafka_readings_per_s": round(full.readings / full.seconds),
            "ratio_vs_raw_producer": round((full.readings / full.seconds) / (readings / raw_s), 3),
            "ratio_vs_generation": round((full.readings / full.seconds) / (readings / gen_s), 3),
            "seconds": round(full.seconds, 2),
        }
        report["runs"].append(run)  # type: ignore[union-attr]
        progress(
            f"scale {scale}: {run['simulate_to_kafka_readings_per_s']:,} readings/s into "
            f"Kafka ({run['ratio_vs_raw_producer']:.2f}x a raw producer, "
            f"{run['ratio_vs_generation']:.2f}x generation alone)"
        )
    return report
