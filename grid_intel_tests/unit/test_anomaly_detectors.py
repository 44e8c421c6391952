"""The anomaly library's pure parts: control charts against known shifts, pattern
detectors on the simulator's own fault shapes, event merging and event-level scoring."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from grid_intel.anomaly.events import Event, Label, merge, score
from grid_intel.anomaly.patterns import chatter, flatline, oscillation, runs, spikes
from grid_intel.anomaly.scada_faults import SENSOR_KINDS, detect
from grid_intel.anomaly.spc import Baseline, cusum, ewma, western_electric
from grid_intel.simulation.faults import Fault, apply_to_values, plan
from grid_intel.simulation.scada import ScadaSimulator

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def noise(n: int, sigma: float = 1.0, seed: int = 7) -> np.ndarray:
    """Seeded per call, so a test gives the same result alone or in the suite."""
    return np.random.default_rng(seed).normal(0, sigma, n)


def test_robust_baseline_ignores_a_few_bad_points():
    x = noise(1000)
    x[:10] = 500.0
    base = Baseline.robust(x)
    assert abs(base.mean) < 0.1 and 0.9 < base.sigma < 1.1
    with pytest.raises(ValueError, match="at least two"):
        Baseline.robust(np.array([np.nan, 1.0]))


def test_ewma_and_cusum_alarm_as_rarely_in_control_as_their_design_says():
    """Average run lengths in control: about 560 points for EWMA (λ 0.2, 3 sigma) and
    about 465 for two-sided CUSUM (k 0.5, h 5); a re-crossing counts as a new alarm here,
    so the bounds sit a little lower."""
    x = noise(200_000)
    base = Baseline(0.0, 1.0)
    assert x.size / len(runs(ewma(x, base))) > 400
    assert x.size / len(runs(cusum(x, base))) > 300


def test_ewma_and_cusum_catch_a_small_sustained_shift_that_3_sigma_misses():
    x = noise(600)
    x[300:] += 1.5  # a sigma and a half: rule 1 alone sees few of its points
    base = Baseline(0.0, 1.0)
    for flags in (ewma(x, base), cusum(x, base)):
        assert flags[300:330].any()  # alarmed within 30 points
        assert flags[350:].mean() > 0.8  # and held while the shift lasts
    assert western_electric(x, base)["rule1"][300:].mean() < 0.15


def test_western_electric_rules_fire_on_their_own_patterns():
    base = Baseline(0.0, 1.0)
    x = np.zeros(40)
    x[5] = 3.5  # rule 1
    x[10], x[12] = 2.5, 2.4  # rule 2: two of three beyond 2 sigma
    x[20:24] = -1.5  # rule 3: four of five beyond 1 sigma, below
    x[30:38] = 0.3  # rule 4: eight in a row above the mean
    rules = western_electric(x, base)
    assert np.flatnonzero(rules["rule1"]).tolist() == [5]
    assert rules["rule2"][12] and not rules["rule2"][10]
    assert rules["rule3"][23] and not rules["rule3"][22]
    assert rules["rule4"][37] and not rules["rule4"][36]
    assert not western_electric(np.full(5, np.nan), base)["rule1"].any()


def _faulted(kind: str, clean: np.ndarray, minutes: float, point: str = "a.top_oil_temp_c"):
    """One point's readings (4 s scans) with the simulator's own fault applied."""
    epoch = T0.timestamp() + 4.0 * np.arange(clean.size)
    start = T0 + timedelta(minutes=20)
    fault = Fault(kind, "a", start, start + timedelta(minutes=minutes), (point,), {"magnitude": 1})
    out = apply_to_values(clean[:, None], epoch, {point: 0}, [fault])[:, 0]
    rows = (epoch >= start.timestamp()) & (epoch < fault.end.timestamp())
    return out, rows


def test_a_stuck_sensor_flat_lines_and_live_noise_does_not():
    clean = 60 + np.cumsum(noise(900, 0.05))
    x, rows = _faulted("stuck_sensor", clean, 30)
    flags = flatline(x, min_run=15)
    assert flags[rows].all() and not flags[~rows].any()
    with pytest.raises(ValueError):
        flatline(x, 1)


def test_spikes_are_found_and_a_level_shift_is_not_a_spike():
    clean = 100 + noise(900, 0.5)
    x, rows = _faulted("spike", clean, 10)
    found = np.flatnonzero(spikes(x))
    assert len(found) == 3 and rows[found].all()
    shifted = clean.copy()
    shifted[450:] += 30
    assert spikes(shifted).sum() <= 2  # at most the step's edge


def test_breaker_chatter_is_many_changes_and_one_operation_is_not():
    state = np.ones(900)
    state[100:] = 0  # one trip
    state[400:] = 1  # and a reclose
    assert not chatter(state, window=75, max_changes=4).any()
    x, rows = _faulted("breaker_chatter", np.ones(900), 5, point="b.status")
    flags = chatter(x, window=75, max_changes=4)
    assert flags[rows].mean() > 0.9 and not flags[: np.flatnonzero(rows)[0]].any()


def test_frequency_oscillation_is_found_and_governor_wander_is_not():
    t = np.arange(900) * 4.0
    wander = 60 + 0.01 * np.sin(2 * np.pi * t / 1800)
    osc = wander.copy()
    osc[300:450] += 0.05 * np.sin(2 * np.pi * t[300:450] / 40)  # 0.025 Hz, ±50 mHz
    assert not oscillation(wander, window=60, min_cycles=4, min_amplitude=0.04).any()
    flags = oscillation(osc, window=60, min_cycles=4, min_amplitude=0.04)
    assert flags[330:450].mean() > 0.9 and not flags[:300].any()


def test_flags_merge_into_events_with_severity_and_gaps_bridged():
    ts = [T0 + timedelta(seconds=4 * i) for i in range(20)]
    flags = np.zeros(20, dtype=bool)
    flags[[3, 4, 6, 15]] = True
    scores = np.arange(20.0)
    events = merge(flags, ts, "a", "spike", scores, gap=1, evidence={"rule": "x"})
    assert [(e.start, e.end) for e in events] == [
        (ts[3], ts[6] + timedelta(seconds=4)),
        (ts[15], ts[15] + timedelta(seconds=4)),
    ]
    assert events[0].severity == 6.0 and events[0].evidence == {"rule": "x"}


def test_event_scores_count_faults_found_false_alarms_and_delay():
    lab = [
        Label("stuck_sensor", "a", T0, T0 + timedelta(hours=1)),
        Label("stuck_sensor", "b", T0, T0 + timedelta(hours=1)),
    ]
    ev = [
        Event("a", "stuck_sensor", T0 + timedelta(minutes=2), T0 + timedelta(hours=1), 1.0),
        Event("a", "stuck_sensor", T0 + timedelta(minutes=30), T0 + timedelta(minutes=40), 1.0),
        Event("c", "stuck_sensor", T0, T0 + timedelta(minutes=5), 1.0),  # a false alarm
        Event("b", "spike", T0, T0 + timedelta(minutes=1), 1.0),  # wrong kind for b's fault
    ]
    s = score(ev, lab)
    stuck = s["stuck_sensor"]
    assert (stuck.faults, stuck.found, stuck.events, stuck.true_events) == (2, 1, 3, 2)
    assert stuck.recall == 0.5 and stuck.precision == pytest.approx(2 / 3)
    assert stuck.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert stuck.median_delay_s == 120.0
    assert s["spike"].precision == 0.0 and s["spike"].faults == 0


def _simulated(start: datetime, hours: int, kinds: tuple[str, ...], per_day: float):
    """Detected sensor events and the injected faults over simulated SCADA hours."""
    sim = ScadaSimulator(seed=7)
    points = sorted(sim.registry.points, key=lambda p: sim.columns[p.id])
    events, labels, held = [], {}, {}
    for h in range(hours):
        hour = start + timedelta(hours=h)
        block = sim.hour(hour)
        faults = plan(7, sim.registry, hour, hour + timedelta(hours=1), kinds, per_day)
        values = apply_to_values(block["values"], block["ts"], sim.columns, faults, held)
        events += detect(block["ts"], np.round(values, 4), points)  # as the messages carry
        seen = [Label(f.kind, f.asset, max(f.start, start), f.end) for f in faults]
        labels.update({(lb.kind, lb.asset, lb.start): lb for lb in seen})  # from the first hour
    return events, list(labels.values()), len({p.asset for p in points})


def test_sensor_faults_are_found_as_events_on_their_assets_and_nothing_else():
    """Six winter hours with about three faults of each sensor kind, applied by the
    simulator: every fault found, no event without a fault, each within a minute."""
    events, labels, _ = _simulated(datetime(2026, 1, 12, tzinfo=UTC), 6, SENSOR_KINDS, 12.0)
    scores = score(events, labels)
    assert set(scores) == set(SENSOR_KINDS)
    for kind, s in scores.items():
        assert s.faults >= 2, kind  # the plan really injected this kind
        assert s.f1 >= 0.9, (kind, s)
        assert s.median_delay_s is not None and s.median_delay_s <= 60, (kind, s)


def test_clean_hours_raise_no_sensor_alarm():
    """The false-alarm goal is at most one per 100 assets a day; three clean summer hours
    over the whole fleet raise none."""
    events, labels, assets = _simulated(datetime(2026, 7, 20, 12, tzinfo=UTC), 3, (), 0.0)
    assert assets > 500 and not labels
    assert events == []
