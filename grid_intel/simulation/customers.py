"""Customers behind each distribution substation and each breaker that can interrupt them.

Manitoba Hydro serves about 600,000 electricity customers (approx.). They are
spread over the regions by load share and over a region's distribution
substations by a fixed per-substation weight, so the counts are facts of the
registry (the same for every seed); a substation's two transformers each carry
half of its feeders.
"""

from __future__ import annotations

import hashlib

from grid_intel.grid.registry import Registry

CUSTOMERS = 600_000


def _weight(substation_id: str) -> float:
    digest = hashlib.sha256(f"customers/{substation_id}".encode()).digest()
    return 0.7 + 0.6 * int.from_bytes(digest[:4], "little") / 2**32


def customers_by_substation(registry: Registry) -> dict[str, int]:
    """Customers served from each distribution substation."""
    out: dict[str, int] = {}
    for region in registry.regions:
        subs = [
            s.id for s in registry.substations if s.kind == "distribution" and s.region == region.id
        ]
        weights = [_weight(s) for s in subs]
        total = CUSTOMERS * region.load_share
        for sid, w in zip(subs, weights, strict=True):
            out[sid] = round(total * w / sum(weights))
    return out


def customers_by_breaker(registry: Registry) -> dict[str, int]:
    """Customers a breaker at a distribution substation interrupts when it opens.

    The supply line's breaker takes the whole substation; a transformer's breaker
    its half of the feeders.
    """
    subs = customers_by_substation(registry)
    out: dict[str, int] = {}
    for b in registry.breakers:
        if b.substation not in subs:
            continue
        if b.protects.startswith("ln_"):
            out[b.id] = subs[b.substation]
        else:
            n = sum(1 for t in registry.transformers if t.substation == b.substation)
            out[b.id] = round(subs[b.substation] / n)
    return out
