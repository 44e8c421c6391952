"""Maintenance work orders, planned per UTC day from the seed and the day's outages.

Routine work (inspections, oil samples for DGA, breaker and transformer
maintenance) is scheduled on working days from 08:00 local time at rates per
asset-year that are modelling assumptions; breaker and transformer maintenance
open a breaker for the work window (a substation's sister transformer carries
the load, so customers keep supply). Every sustained unplanned outage gets a
corrective repair and every planned outage the line work that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from grid_intel.grid.calendar import is_holiday
from grid_intel.grid.records import WORK_ORDER_KINDS, WORK_ORDER_STATUSES
from grid_intel.grid.registry import Registry
from grid_intel.health.dga import GASES, tdcg, tdcg_condition
from grid_intel.simulation.gases import healthy_ppm
from grid_intel.simulation.outages import WORKING_DAYS_PER_YEAR, Outage
from grid_intel.simulation.weather import UTC_OFFSET_H

KINDS = WORK_ORDER_KINDS
STATUSES = WORK_ORDER_STATUSES
CANCELLED_SHARE = 0.03
# Routine work: (kind, asset kind, visits per asset-year, hours on site (low, high), crew).
ROUTINE = (
    ("inspection", "transformer", 2.0, (0.5, 2.0), 1),
    ("inspection", "line", 1.0, (2.0, 6.0), 2),
    ("inspection", "breaker", 0.5, (0.5, 1.5), 1),
    ("dga_sample", "transformer", 1.0, (0.5, 1.5), 1),
    ("breaker_maintenance", "breaker", 0.2, (3.0, 8.0), 3),
    ("transformer_maintenance", "transformer", 1 / 6, (4.0, 10.0), 4),
)
INSPECTION_NOTES = (
    "Visual inspection, no defects found",
    "Visual inspection, no defects found",
    "Visual inspection, no defects found",
    "Minor oil seep at a gasket noted for follow-up",
    "Bird nest removed from structure",
    "Infrared scan, no hot spots",
    "Corrosion on grounding connection noted",
)
REPAIR_NOTES = {
    "weather": "Storm damage repaired, line re-energized",
    "vegetation": "Tree contact cleared, conductor inspected",
    "animal": "Animal contact, insulator cleaned and guard fitted",
    "equipment_failure": "Failed component replaced",
    "third_party": "Damage by a third party repaired",
    "unknown": "Patrolled, no cause found, re-energized",
}


@dataclass(frozen=True)
class WorkOrder:
    id: str
    asset: str
    asset_kind: str  # transformer, breaker or line
    substation: str
    region: str
    kind: str
    planned: datetime | None  # scheduled start; None for corrective work
    opened: datetime | None  # crew on site; None if cancelled
    completed: datetime | None
    status: str
    priority: int  # 1 emergency, 2 urgent, 3 planned, 4 routine
    crew_hours: float
    notes: str
    outage: str | None = None
    opens: tuple[str, ...] = ()  # breakers held open while the work is done


@dataclass(frozen=True)
class Assets:
    """The registry's maintainable assets and where they are."""

    transformers: list[str]
    lines: list[str]
    breakers: list[str]
    substation: dict[str, str]
    region: dict[str, str]
    install_year: dict[str, int]
    transformer_breaker: dict[str, str]

    @classmethod
    def of(cls, registry: Registry) -> Assets:
        region = {s.id: s.region for s in registry.substations}
        substation = {t.id: t.substation for t in registry.transformers}
        substation |= {ln.id: ln.from_substation for ln in registry.lines}
        substation |= {b.id: b.substation for b in registry.breakers}
        return cls(
            [t.id for t in registry.transformers],
            [ln.id for ln in registry.lines],
            [b.id for b in registry.breakers],
            substation,
            {a: region[s] for a, s in substation.items()},
            {t.id: t.install_year for t in registry.transformers},
            {b.protects: b.id for b in registry.breakers if not b.protects.startswith("ln_")},
        )

    def of_kind(self, kind: str) -> list[str]:
        return {"transformer": self.transformers, "line": self.lines, "breaker": self.breakers}[
            kind
        ]


def work_orders_on(seed: int, day: date, assets: Assets, outages: list[Outage]) -> list[WorkOrder]:
    """Work orders opened (or scheduled) on UTC `day`, ids WO-YYYYMMDD-NNNN in time order."""
    rng = np.random.default_rng([seed, 0x3A1_7E, day.toordinal()])
    sustained = [o for o in outages if not o.momentary]
    orders = _routine(rng, day, assets) + [_for_outage(rng, o) for o in sustained]
    orders.sort(key=lambda w: (w.opened or w.planned or datetime.max.replace(tzinfo=UTC), w.asset))
    return [replace(w, id=f"WO-{day:%Y%m%d}-{n:04d}") for n, w in enumerate(orders, start=1)]


def _routine(rng: np.random.Generator, day: date, assets: Assets) -> list[WorkOrder]:
    if day.weekday() >= 5 or is_holiday(day):
        return []
    out = []
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    for kind, asset_kind, per_year, (lo, hi), crew in ROUTINE:
        pool = assets.of_kind(asset_kind)
        for _ in range(int(rng.poisson(len(pool) * per_year / WORKING_DAYS_PER_YEAR))):
            asset = pool[int(rng.integers(len(pool)))]
            local = 8 * 3600 + 900 * int(rng.integers(21))  # quarter hours, 08:00-13:00
            planned = midnight + timedelta(seconds=local - UTC_OFFSET_H * 3600)
            opened = planned + timedelta(minutes=int(rng.integers(31)))
            hours = float(rng.uniform(lo, hi))
            completed = opened + timedelta(minutes=round(hours * 60))
            notes = _notes(rng, kind, asset, assets, opened)
            opens: tuple[str, ...] = ()
            if kind == "breaker_maintenance":
                opens = (asset,)
            elif kind == "transformer_maintenance":
                opens = (assets.transformer_breaker[asset],)
            order = WorkOrder(
                "",
                asset,
                asset_kind,
                assets.substation[asset],
                assets.region[asset],
                kind,
                planned,
                opened,
                completed,
                "completed",
                4 if kind in ("inspection", "dga_sample") else 3,
                round(hours * crew, 1),
                notes,
                None,
                opens,
            )
            if rng.random() < CANCELLED_SHARE:
                order = replace(
                    order,
                    opened=None,
                    completed=None,
                    status="cancelled",
                    crew_hours=0.0,
                    notes="Cancelled: crew reassigned",
                    opens=(),
                )
            out.append(order)
    return out


def _notes(rng: np.random.Generator, kind: str, asset: str, assets: Assets, at: datetime) -> str:
    if kind == "inspection":
        return INSPECTION_NOTES[int(rng.integers(len(INSPECTION_NOTES)))]
    if kind == "dga_sample":
        lab = {
            g: float(healthy_ppm(g, assets.install_year[asset], at.timestamp()))
            * (1 + 0.05 * rng.standard_normal())
            for g in GASES
        }
        total = tdcg(lab)
        values = ", ".join(f"{g.upper()} {lab[g]:.1f}" for g in GASES)
        return (
            f"Oil sample to lab. DGA (ppm): {values}; TDCG {total:.0f}, "
            f"IEEE C57.104 condition {tdcg_condition(total)}"
        )
    if kind == "breaker_maintenance":
        return "Timing and contact resistance tests, mechanism lubricated"
    return "Tap changer inspected, oil filtered, bushings cleaned"


def _for_outage(rng: np.random.Generator, o: Outage) -> WorkOrder:
    """Repair after a sustained unplanned outage; the line work behind a planned one."""
    asset = o.protects
    kind_of = "line" if asset.startswith("ln_") else "transformer"
    crew = int(rng.integers(2, 5))
    if o.cause == "planned":
        hours = o.duration_s / 3600
        return WorkOrder(
            "",
            asset,
            kind_of,
            o.substation,
            o.region,
            "line_maintenance",
            o.start,
            o.start,
            o.end,
            "completed",
            3,
            round(hours * crew, 1),
            f"Planned outage {o.id}: {o.customers} customers notified; hardware replaced",
            o.id,
        )
    opened = min(o.start + timedelta(minutes=int(rng.integers(5, 31))), o.end)
    completed = o.end + timedelta(minutes=int(rng.integers(0, 121)))
    hours = (completed - opened).total_seconds() / 3600
    return WorkOrder(
        "",
        asset,
        kind_of,
        o.substation,
        o.region,
        "corrective_repair",
        None,
        opened,
        completed,
        "completed",
        1 if o.customers >= 5000 else 2,
        round(hours * crew, 1),
        f"{REPAIR_NOTES[o.cause]} (outage {o.id})",
        o.id,
    )
