"""Breakers open for outages and maintenance, count their operations; gases drift up with age."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from grid_intel.simulation.events import standard_events
from grid_intel.simulation.faults import Fault, apply_to_values
from grid_intel.simulation.scada import ScadaSimulator
from grid_intel.simulation.switching import COUNTER_ANCHOR, breakers_of, merged

SEED = 7
WINDOW = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))


@pytest.fixture(scope="module")
def sim():
    return ScadaSimulator(seed=SEED)


def series(sim, start: datetime, end: datetime, point: str) -> tuple[np.ndarray, np.ndarray]:
    """(epoch s, values) of one point over whole hours covering [start, end)."""
    hour = start.replace(minute=0, second=0, microsecond=0)
    ts, vals = [], []
    while hour < end:
        block = sim.hour(hour)
        ts.append(block["ts"])
        vals.append(block["values"][:, sim.columns[point]])
        hour += timedelta(hours=1)
    return np.concatenate(ts), np.concatenate(vals)


def test_every_outage_opens_its_breakers_for_its_duration(sim):
    events = standard_events(SEED, 1)
    protecting = breakers_of(sim.registry)
    outages, orders = events.overlapping(*WINDOW)
    windows = [(o.start, o.end, protecting[o.protects]) for o in outages]
    windows += [(w.opened, w.completed, w.opens) for w in orders if w.opens]
    short = [o for o in events.outages(*WINDOW) if o.duration_s < 3 * 3600][:5]
    assert len(short) >= 3 and any(o.momentary for o in short)
    for o in short:
        before, after = o.start - timedelta(minutes=30), o.end + timedelta(minutes=30)
        for breaker in protecting[o.protects]:  # a line's breakers at both ends
            others = [w for w in windows if breaker in w[2] and w[0] < after and w[1] > before]
            assert len(others) == 1, "a lone opening"
            ts, status = series(sim, before, after, f"{breaker}.status")
            _, count = series(sim, before, after, f"{breaker}.operation_count")
            inside = (ts >= o.start.timestamp()) & (ts < o.end.timestamp())
            assert inside.any()
            assert (status[inside] == 0).all() and (status[~inside] == 1).all()
            assert count[-1] - count[0] == 2
            assert set(np.diff(count)) <= {0.0, 1.0}
            assert count[inside].min() == count[0] + 1


def test_breaker_maintenance_opens_the_breaker(sim):
    orders = [
        w
        for w in standard_events(SEED, 1).work_orders(*WINDOW)
        if w.kind == "breaker_maintenance" and w.status == "completed"
    ]
    w = orders[0]
    ts, status = series(sim, w.opened, w.completed, f"{w.asset}.status")
    inside = (ts >= w.opened.timestamp()) & (ts < w.completed.timestamp())
    assert (status[inside] == 0).all() and (status[~inside] == 1).all()


def test_counters_do_not_depend_on_where_the_history_starts():
    hour = datetime(2026, 1, 21, 9, tzinfo=UTC)
    cols = [p.id for p in ScadaSimulator(seed=SEED).registry.points if p.asset_kind == "breaker"]
    a = ScadaSimulator(seed=SEED)
    for h in range(3):  # a simulator that has run earlier hours, and one that has not
        a.hour(hour - timedelta(hours=3 - h))
    b = ScadaSimulator(seed=SEED)
    ja = [a.columns[c] for c in cols]
    assert (a.hour(hour)["values"][:, ja] == b.hour(hour)["values"][:, ja]).all()
    early = ScadaSimulator(seed=SEED).hour(COUNTER_ANCHOR - timedelta(days=40))
    assert (early["values"][:, ja] >= 0).all()


def test_overlapping_openings_merge_into_one():
    opens, closes = merged([(10.0, 20.0), (15.0, 30.0), (40.0, 50.0)])
    assert opens.tolist() == [10.0, 40.0] and closes.tolist() == [30.0, 50.0]


def test_breaker_chatter_still_shows_on_top(sim):
    hour = datetime(2026, 1, 20, 6, tzinfo=UTC)
    block = sim.hour(hour)
    breaker = sim.registry.breakers[0].id
    points = (f"{breaker}.status", f"{breaker}.operation_count")
    fault = Fault("breaker_chatter", breaker, hour, hour + timedelta(minutes=5), points)
    out = apply_to_values(block["values"], block["ts"], sim.columns, [fault])
    rows = block["ts"] < (hour + timedelta(minutes=5)).timestamp()
    status = out[rows, sim.columns[points[0]]]
    count = out[rows, sim.columns[points[1]]]
    assert set(status) == {0.0, 1.0}
    assert (np.diff(count) == 1).all()


def test_dissolved_gases_drift_up_over_weeks(sim):
    dga = [t.id for t in sim.txs if f"{t.id}.co_ppm" in sim.columns]
    early = sim.hour(datetime(2026, 2, 1, 3, tzinfo=UTC))["values"]
    late = sim.hour(datetime(2026, 3, 15, 3, tzinfo=UTC))["values"]
    for gas, per_year in (("co", 9.0), ("h2", 1.2)):
        cols = [sim.columns[f"{t}.{gas}_ppm"] for t in dga]
        rise = late[:, cols].mean(axis=0) - early[:, cols].mean(axis=0)
        assert rise.mean() == pytest.approx(per_year * 42 / 365.25, rel=0.35)
        assert (rise > 0).mean() > 0.7
