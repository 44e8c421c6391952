"""Simpler health scores for breakers (operations and trips) and lines (conductor heat).

Breakers wear with each operation: IEC 62271-100's class M2 breaker is type-tested
for 10,000 operations, and a breaker operating dozens of times a day is chattering.
Lines age when the conductor runs hot: 75 °C is a common design temperature for
ACSR, 100 °C a typical emergency rating, beyond which the aluminium anneals.
"""

from __future__ import annotations

from dataclasses import dataclass

from grid_intel.health.failure import cnaim_health_score, probability_of_failure
from grid_intel.health.index import Factor, band, health_index, score_curve
from grid_intel.health.transformer import CORRECTIVE_ORDERS, OUTAGES, Assessment

MECHANICAL_ENDURANCE_OPS = 10_000.0
WEAR = ((0.0, 4.0), (0.5, 3.0), (0.8, 2.0), (1.0, 1.0), (1.2, 0.0))  # fraction of endurance
OPS_PER_DAY = ((4.0, 4.0), (10.0, 3.0), (20.0, 1.0), (50.0, 0.0))
TRIPS = ((0.0, 4.0), (2.0, 3.0), (5.0, 2.0), (10.0, 0.0))
CONDUCTOR_DESIGN_C = 75.0
CONDUCTOR_EMERGENCY_C = 100.0
CONDUCTOR_PEAK_C = (
    (CONDUCTOR_DESIGN_C, 4.0),
    (90.0, 2.0),
    (CONDUCTOR_EMERGENCY_C, 1.0),
    (125.0, 0.0),
)
HOURS_OVER_DESIGN = ((0.0, 4.0), (2.0, 3.0), (10.0, 2.0), (50.0, 0.0))  # in 30 days
LINE_LOAD_PU = ((1.0, 4.0), (1.2, 2.0), (1.5, 0.0))


@dataclass(frozen=True)
class BreakerDay:
    asset: str
    operation_count: float | None  # the counter's latest value
    operations_today: float | None
    trips: int = 0  # unplanned outages it cleared in 365 days
    corrective_orders: int = 0


@dataclass(frozen=True)
class LineDay:
    asset: str
    peak_conductor_c: float | None
    hours_over_design: float  # trailing 30 days
    peak_load_pu: float | None
    outages: int = 0
    corrective_orders: int = 0


def _assessment(asset: str, factors: list[Factor]) -> Assessment:
    index = health_index(factors)
    h = cnaim_health_score(index)
    return Assessment(
        asset, tuple(factors), index, band(index), round(h, 3), probability_of_failure(h), None
    )


def _repairs(corrective: int) -> Factor:
    return Factor(
        "maintenance",
        score_curve(corrective, CORRECTIVE_ORDERS),
        1.0,
        f"{corrective} corrective work orders in the last 365 days",
    )


def assess_breaker(day: BreakerDay) -> Assessment:
    """Wear against mechanical endurance, operations today (chatter), trips and repairs."""
    factors = [
        _repairs(day.corrective_orders),
        Factor("trips", score_curve(day.trips, TRIPS), 2.0, f"{day.trips} trips in 365 days"),
    ]
    if day.operation_count is not None:
        wear = day.operation_count / MECHANICAL_ENDURANCE_OPS
        factors.append(
            Factor(
                "wear",
                score_curve(wear, WEAR),
                3.0,
                f"{day.operation_count:.0f} operations, "
                f"{100 * wear:.0f} % of the {MECHANICAL_ENDURANCE_OPS:.0f} of class M2",
            )
        )
    if day.operations_today is not None:
        factors.append(
            Factor(
                "operations",
                score_curve(day.operations_today, OPS_PER_DAY),
                3.0,
                f"{day.operations_today:.0f} operations today",
                critical=True,
            )
        )
    return _assessment(day.asset, factors)


def assess_line(day: LineDay) -> Assessment:
    """Conductor temperature exceedances, loading against rating, outages and repairs."""
    factors = [
        _repairs(day.corrective_orders),
        Factor(
            "outages",
            score_curve(day.outages, OUTAGES),
            1.0,
            f"{day.outages} unplanned outages in the last 365 days",
        ),
    ]
    factors.append(
        Factor(
            "exceedances",
            score_curve(day.hours_over_design, HOURS_OVER_DESIGN),
            3.0,
            f"{day.hours_over_design:.1f} h above {CONDUCTOR_DESIGN_C:.0f} °C in 30 days",
        )
    )
    if day.peak_conductor_c is not None:
        factors.append(
            Factor(
                "conductor_temperature",
                score_curve(day.peak_conductor_c, CONDUCTOR_PEAK_C),
                3.0,
                f"peak conductor {day.peak_conductor_c:.1f} °C (design {CONDUCTOR_DESIGN_C:.0f}, "
                f"emergency {CONDUCTOR_EMERGENCY_C:.0f} °C)",
                critical=True,
            )
        )
    if day.peak_load_pu is not None:
        factors.append(
            Factor(
                "loading",
                score_curve(day.peak_load_pu, LINE_LOAD_PU),
                2.0,
                f"peak current {day.peak_load_pu:.2f} pu of rating",
            )
        )
    return _assessment(day.asset, factors)
