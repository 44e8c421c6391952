"""Outages and work orders: utility-like reliability indices, weather-driven, consistent."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from grid_intel.grid.regions import REGIONS_BY_ID
from grid_intel.grid.registry import build_registry
from grid_intel.health.dga import GASES, tdcg
from grid_intel.simulation.customers import CUSTOMERS, customers_by_substation
from grid_intel.simulation.events import Events
from grid_intel.simulation.gases import healthy_ppm
from grid_intel.simulation.outages import CAUSES, MOMENTARY_S
from grid_intel.simulation.weather import wind_ms

REGISTRY = build_registry(1)
YEAR = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def events() -> Events:
    return Events(5, REGISTRY)


@pytest.fixture(scope="module")
def year(events):
    return events.outages(*YEAR), events.work_orders(*YEAR)


def test_customers_add_up_to_the_province():
    subs = customers_by_substation(REGISTRY)
    assert sum(subs.values()) == pytest.approx(CUSTOMERS, abs=len(subs))
    assert min(subs.values()) > 1000


def test_a_year_has_utility_like_ieee_1366_indices(year):
    outages, _ = year
    sustained = [o for o in outages if not o.momentary]
    momentary = [o for o in outages if o.momentary]
    saifi = sum(o.customers for o in sustained) / CUSTOMERS
    saidi_h = sum(o.customer_minutes for o in sustained) / CUSTOMERS / 60
    maifi = sum(o.customers for o in momentary) / CUSTOMERS
    assert 1.0 <= saifi <= 2.5
    assert 1.5 <= saidi_h <= 6.0
    assert 60 <= saidi_h * 60 / saifi <= 240  # CAIDI, minutes
    assert 0.5 <= maifi <= 5.0
    assert set(Counter(o.cause for o in outages)) == set(CAUSES)


def test_outage_records_are_consistent(year):
    outages, _ = year
    subs = customers_by_substation(REGISTRY)
    breakers = {b.id: b for b in REGISTRY.breakers}
    ids = [o.id for o in outages]
    assert len(set(ids)) == len(ids)
    for o in outages:
        b = breakers[o.breaker]
        assert b.substation == o.substation and b.protects == o.protects
        assert REGISTRY.by_id[o.substation].kind == "distribution"
        assert REGISTRY.by_id[o.substation].region == o.region
        assert 0 < o.customers <= subs[o.substation]
        assert o.end > o.start and o.id == f"OUT-{o.start:%Y%m%d}-{o.id[-4:]}"
        assert o.momentary == (o.duration_s < MOMENTARY_S)
        if o.cause == "planned":
            assert not o.momentary and o.start.weekday() < 5


def test_storms_bring_more_line_outages():
    events = Events(11, REGISTRY)
    start, end = datetime(2022, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    outages = [o for o in events.outages(start, end) if o.protects.startswith("ln_")]
    ts = np.arange(np.datetime64("2022-01-01"), np.datetime64("2025-01-01"), np.timedelta64(1, "h"))
    windy_hours, hits = Counter(), Counter()
    for region in REGIONS_BY_ID.values():
        windy = wind_ms(11, region, ts) > 12.0
        windy_hours[True] += int(windy.sum())
        windy_hours[False] += int((~windy).sum())
        hour = {
            int(t): w for t, w in zip(ts.astype("datetime64[h]").astype(int), windy, strict=True)
        }
        for o in outages:
            if o.region == region.id and o.cause in ("weather", "vegetation"):
                hits[bool(hour[int(o.start.timestamp() // 3600)])] += 1
    rate_windy = hits[True] / windy_hours[True]
    rate_calm = hits[False] / windy_hours[False]
    assert rate_windy > 2 * rate_calm


def test_events_are_seeded_and_chunk_invariant():
    a, b, c = (datetime(2026, 3, d, tzinfo=UTC) for d in (1, 9, 20))
    whole = Events(3, REGISTRY).outages(a, c)
    pieces = Events(3, REGISTRY)
    late = pieces.outages(b, c)  # the later piece first
    assert pieces.outages(a, b) + late == whole
    assert Events(4, REGISTRY).outages(a, c) != whole
    assert Events(3, REGISTRY).work_orders(a, c) == Events(3, REGISTRY).work_orders(a, c)


def test_work_orders_follow_outages_and_the_working_day(year):
    outages, orders = year
    by_outage = {w.outage: w for w in orders if w.outage}
    for o in outages:
        if o.momentary:
            assert o.id not in by_outage
            continue
        w = by_outage[o.id]
        assert w.asset == o.protects
        assert w.kind == ("line_maintenance" if o.cause == "planned" else "corrective_repair")
        assert o.start <= w.opened <= o.end <= w.completed
    kinds = Counter(w.kind for w in orders)
    assert kinds["inspection"] > kinds["dga_sample"] > kinds["breaker_maintenance"] > 0
    for w in orders:
        assert (w.status == "cancelled") == (w.completed is None)
        if w.kind in ("inspection", "dga_sample", "breaker_maintenance", "transformer_maintenance"):
            assert w.planned.weekday() < 5 and 14 <= w.planned.hour <= 19  # 08:00-13:00 CST
        if w.kind == "breaker_maintenance" and w.status == "completed":
            assert w.opens == (w.asset,)
        assert w.crew_hours >= 0 and 1 <= w.priority <= 4


def test_dga_lab_results_match_the_gas_model(year):
    _, orders = year
    samples = [w for w in orders if w.kind == "dga_sample" and w.status == "completed"]
    assert len(samples) > 100
    for w in samples[:50]:
        tx = REGISTRY.by_id[w.asset]
        model = tdcg(
            {g: float(healthy_ppm(g, tx.install_year, w.opened.timestamp())) for g in GASES}
        )
        reported = float(w.notes.split("TDCG ")[1].split(",")[0])
        assert reported == pytest.approx(model, rel=0.1)


def test_gases_grow_with_service_years():
    t = np.array([datetime(2026, 1, 1, tzinfo=UTC).timestamp() + d * 86400 for d in (0, 21, 42)])
    for gas in ("h2", "ch4", "c2h4", "c2h6", "co"):
        ppm = healthy_ppm(gas, 1990, t)
        assert (np.diff(ppm) > 0).all()
    assert healthy_ppm("c2h2", 1990, t).tolist() == [0.3] * 3
    assert float(healthy_ppm("co", 2030, t[0])) == 180.0  # not yet in service


def test_days_are_planned_once(events):
    first = events.days(date(2025, 6, 1), date(2025, 6, 3))
    assert events.days(date(2025, 6, 1), date(2025, 6, 3)) == first
    assert [d.day for d in first] == [date(2025, 6, d) for d in (1, 2, 3)]
    assert all(o.start.date() == d.day for d in first for o in d.outages)
    assert timedelta(0) < max(o.end - o.start for d in first for o in d.outages)
