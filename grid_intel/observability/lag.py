"""Consumer lag: records on the broker past the point a consumer has reached."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def partition_lag(
    end: Mapping[K, int],
    done: Mapping[K, int],
    begin: Mapping[K, int] | None = None,
) -> dict[K, int]:
    """Per partition of `end` (the broker's end offsets): records from the next offset
    the consumer needs (`done`; else the partition's first retained offset in `begin`,
    else 0) to the end. Never negative: an end fetched before the position moved on
    gives 0, not a negative lag; a position before the retained start counts from it."""
    first = begin or {}
    out: dict[K, int] = {}
    for key, stop in end.items():
        start = first.get(key, 0)
        at = max(done.get(key, start), start)
        out[key] = max(0, stop - at)
    return out
