"""Container health checks for the platform image, so it needs no curl or wget.

    python healthcheck.py http URL                  exit 0 when URL answers 200 within 3 s
    python healthcheck.py topic-fresh TOPIC SECONDS  exit 0 when TOPIC's newest record is
                                                     at most SECONDS old (a producer is alive)

docker-compose.yml points each service's healthcheck here; Kubernetes probes use HTTP.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence


def http_ok(url: str, timeout_s: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def is_fresh(newest_ms: int | None, now_ms: int, max_age_s: float) -> bool:
    """A topic is fresh when its newest record is no older than `max_age_s`."""
    return newest_ms is not None and now_ms - newest_ms <= max_age_s * 1000


def newest_timestamp_ms(topic: str) -> int | None:
    """The record timestamp of the topic's newest record over all partitions (None: empty)."""
    from grid_intel.broker.client import partitions, read_ranges
    from grid_intel.broker.windows import OffsetRange
    from grid_intel.settings import get_settings

    with get_settings().kafka_consumer() as client:
        tps = partitions(client, topic)
        begin = client.beginning_offsets(tps)
        end = client.end_offsets(tps)
        last = [OffsetRange(tp.partition, max(end[tp] - 1, begin[tp]), end[tp]) for tp in tps]
        stamps = [r.timestamp_ms for r in read_ranges(client, topic, last, timeout_s=10)]
    return max(stamps, default=None)


def main(argv: Sequence[str]) -> int:
    match list(argv):
        case ["http", url]:
            return 0 if http_ok(url) else 1
        case ["topic-fresh", topic, seconds]:
            newest = newest_timestamp_ms(topic)
            return 0 if is_fresh(newest, int(time.time() * 1000), float(seconds)) else 1
        case _:
            print(__doc__, file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
