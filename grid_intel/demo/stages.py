"""The backfill's progress as the stages a person follows: bronze, silver, gold, products."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from grid_intel.operations.backfill import Counts, counts_of

STAGES = ("bronze", "silver", "gold", "products")


def stage_of(path: Sequence[str], products: Collection[str]) -> str:
    """An asset's stage: its layer (the key's first part), or products for the models,
    forecasts and scores built on gold (`products` holds their keys as user strings)."""
    key = "/".join(path)
    if key in products:
        return "products"
    return path[0] if path[0] in STAGES else "gold"


def by_stage(statuses: Sequence[dict], products: Collection[str]) -> dict[str, Counts]:
    """The webserver's per-asset backfill statuses summed per stage, in stage order."""
    groups: dict[str, list[dict]] = {s: [] for s in STAGES}
    for s in statuses:
        groups[stage_of(s["assetKey"]["path"], products)].append(s)
    return {stage: counts_of(rows) for stage, rows in groups.items() if rows}


@dataclass
class StageWatch:
    """Says each stage once, when its last partition is done."""

    products: Collection[str]
    said: set[str] = field(default_factory=set)

    def finished(self, statuses: Sequence[dict]) -> list[tuple[str, Counts]]:
        out = []
        for stage, c in by_stage(statuses, self.products).items():
            if stage not in self.said and c.materialized + c.failed >= c.targeted:
                self.said.add(stage)
                out.append((stage, c))
        return out
