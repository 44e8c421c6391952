"""The physical-fault detectors on the simulator's own injected faults: overheating and
line overload per SCADA hour, fault gases over days of hourly means, frequency
excursions per unit trip, and PyOD's ranking of faulted assets among their peers.
A winter and a summer day, each with sensor faults mixed in, so a stuck or dropped
reading must not pass for a physical fault."""

import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

import numpy as np
import polars as pl
import pytest

from grid_intel.anomaly import frequency, gases, multivariate, physical
from grid_intel.anomaly.events import Event, Label, score
from grid_intel.grid.registry import Registry
from grid_intel.simulation.faults import Fault, apply_to_values, plan
from grid_intel.simulation.feeds import frequency_frame
from grid_intel.simulation.frequency import trips
from grid_intel.simulation.scada import ScadaSimulator

HOUR = timedelta(hours=1)
DAYS = ((7, datetime(2026, 1, 12, tzinfo=UTC)), (11, datetime(2026, 7, 20, tzinfo=UTC)))
PHYSICAL = ("transformer_overheating", "line_overload", "dga_fault_gas")
SENSOR = ("stuck_sensor", "spike", "dropout")
PER_DAY = 8.0  # of each physical kind: enough faults in a day to score
SENSOR_PER_DAY = 4.0
MARGIN = timedelta(minutes=30)  # a fault starting this close to the end has no time to show
GAS_WARM_UP = (gases.MIN_HOURS - 1) * HOUR  # hours that only start the first slope


@dataclass
class Day:
    registry: Registry
    start: datetime
    end: datetime
    assets: int
    events: list[Event]  # physical.detect on the faulted hours
    clean_events: list[Event]  # ... and on the same hours before faults were applied
    faults: list[Fault]
    gas: pl.DataFrame  # hourly gas means, faulted
    clean_gas: pl.DataFrame
    stats: pl.DataFrame  # hourly point stats, faulted (the warehouse's hourly stats)
    seconds_per_hour: float  # physical.detect


def _stats(hour: datetime, values: np.ndarray, points: list) -> pl.DataFrame:
    with warnings.catch_warnings():  # a point dropped out for the whole hour: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        stats = (np.nanmean(values, 0), np.nanmin(values, 0), np.nanmax(values, 0))
    return pl.DataFrame(
        {
            "hour": [hour] * len(points),
            "asset": [p.asset for p in points],
            "asset_kind": [p.asset_kind for p in points],
            "measurement": [p.measurement for p in points],
            "mean_value": stats[0],
            "min_value": stats[1],
            "max_value": stats[2],
        }
    )


def _simulate(
    seed: int, start: datetime, hours: int = 24, per_day: float = PER_DAY, detect: bool = True
) -> Day:
    """Each hour simulated once, faults applied as the feeds do, and everything the
    detectors read taken from it, faulted and clean."""
    sim = ScadaSimulator(seed=seed)
    points = sorted(sim.registry.points, key=lambda p: sim.columns[p.id])
    gas_cols = [j for j, p in enumerate(points) if p.measurement.endswith("_ppm")]
    events, clean_events, faults, held = [], [], {}, {}
    gas, clean_gas, stats = [], [], []
    previous = clean_previous = None
    spent = 0.0
    for h in range(hours):
        hour = start + h * HOUR
        block = sim.hour(hour)
        planned = plan(seed, sim.registry, hour, hour + HOUR, PHYSICAL, per_day)
        planned += plan(seed + 1, sim.registry, hour, hour + HOUR, SENSOR, SENSOR_PER_DAY)
        values = np.round(
            apply_to_values(block["values"], block["ts"], sim.columns, planned, held), 4
        )
        clean = np.round(block["values"], 4)
        if detect:
            began = time.perf_counter()
            events += physical.detect(block["ts"], values, points, sim.registry, previous)
            spent += time.perf_counter() - began
            clean_events += physical.detect(
                block["ts"], clean, points, sim.registry, clean_previous
            )
        previous, clean_previous = (block["ts"], values), (block["ts"], clean)
        faults.update({(f.kind, f.asset, f.start): f for f in planned})
        stats.append(_stats(hour, values, points))
        gas.append(_stats(hour, values[:, gas_cols], [points[j] for j in gas_cols]))
        clean_gas.append(_stats(hour, clean[:, gas_cols], [points[j] for j in gas_cols]))
    as_gas = [pl.col("measurement").str.strip_suffix("_ppm").alias("gas"), "mean_value"]
    return Day(
        sim.registry,
        start,
        start + hours * HOUR,
        len({p.asset for p in points}),
        events,
        clean_events,
        list(faults.values()),
        pl.concat(gas).select("asset", "hour", *as_gas),
        pl.concat(clean_gas).select("asset", "hour", *as_gas),
        pl.concat(stats),
        spent / hours,
    )


@pytest.fixture(scope="module")
def days() -> list[Day]:
    return [_simulate(seed, start) for seed, start in DAYS]


def _overlaps(e: Event, lb: Label) -> bool:
    return e.asset == lb.asset and e.start < lb.end + timedelta(minutes=5) and e.end > lb.start


def _scored(
    events: list[Event],
    faults: list[Fault],
    kind: str,
    start: datetime,
    end: datetime,
    margin: timedelta = MARGIN,
):
    """Score, events and labels of `kind` judged over [start, end): labels clipped to
    `start`, those starting within `margin` of the end left out (no time to show), and
    with them the events that match nothing else."""
    labels = [Label(f.kind, f.asset, max(f.start, start), f.end) for f in faults if f.kind == kind]
    kept = [lb for lb in labels if lb.start < end - margin and lb.end > start]
    late = [lb for lb in labels if lb not in kept]
    chosen = [
        e
        for e in events
        if e.kind == kind
        and (any(_overlaps(e, lb) for lb in kept) or not any(_overlaps(e, lb) for lb in late))
    ]
    return score(chosen, kept).get(kind), chosen, kept


@pytest.mark.parametrize(
    ("kind", "delay_s"), [("transformer_overheating", 300), ("line_overload", 600)]
)
def test_physical_faults_are_found_per_event_within_minutes(days, kind, delay_s):
    """Every overheating and overload the simulator injects is found, on its asset, with
    precision and recall of at least 0.9 per day, winter and summer alike."""
    for day in days:
        s, _, _ = _scored(day.events, day.faults, kind, day.start, day.end)
        assert s is not None and s.faults >= 5, (kind, day.start)
        assert s.precision >= 0.9 and s.recall >= 0.9, (kind, day.start, s)
        assert s.median_delay_s is not None and s.median_delay_s <= delay_s, (kind, s)


def test_clean_hours_raise_at_most_one_physical_alarm_per_100_assets_a_day(days):
    for day in days:
        assert day.assets > 500
        assert len(day.clean_events) <= day.assets / 100, day.clean_events[:5]


def test_an_hour_re_run_gives_the_same_events(days):
    """What a partition re-run sees: the same block gives the same events, and needs no
    thermal state from earlier hours (a simulator started at that hour will do)."""
    day = days[0]
    sim = ScadaSimulator(seed=DAYS[0][0])
    points = sorted(sim.registry.points, key=lambda p: sim.columns[p.id])
    hour = day.start + 7 * HOUR
    block = sim.hour(hour)  # a fresh simulator, started at this hour
    faults = [f for f in day.faults if f.start < hour + HOUR and f.end > hour]
    values = np.round(apply_to_values(block["values"], block["ts"], sim.columns, faults), 4)
    first = physical.detect(block["ts"], values, points, sim.registry)
    assert first == physical.detect(block["ts"], values, points, sim.registry)
    overheated = {
        f.asset
        for f in faults
        if f.kind == "transformer_overheating" and f.start < hour + timedelta(minutes=45)
    }
    assert overheated and overheated <= {e.asset for e in first}


def test_fault_gases_are_found_within_hours_and_healthy_oil_raises_none(days):
    """IEEE C57.104's rate of rise on hourly means: each gassing unit is found, the
    alarm (known once its hour's mean is) within about an hour of the fault's start;
    ageing oil, however much gas it holds, raises nothing."""
    for day in days:
        judged_from = day.start + GAS_WARM_UP
        events = gases.detect(day.gas)
        s, chosen, kept = _scored(
            events, day.faults, "dga_fault_gas", judged_from, day.end, margin=2 * HOUR
        )
        assert s is not None and s.faults >= 5
        assert s.precision >= 0.9 and s.recall >= 0.9, (day.start, s)
        onsets = [lb for lb in kept if lb.start > judged_from]
        alarms = [  # an hour's mean is known at its end; a unit may already be in alarm
            max(
                min(e.start + HOUR for e in chosen if e.asset == lb.asset and e.end > lb.start)
                - lb.start,
                timedelta(0),
            )
            for lb in onsets
        ]
        assert onsets and median(alarms) <= 1.5 * HOUR, alarms
        assert {e.evidence["duval_zone"] for e in chosen} <= {"T2", "T3"}  # ethylene leads
        assert gases.detect(day.clean_gas) == []


def _frequency_events(seed: int, hours: list[datetime]) -> list[Event]:
    return [e for h in hours for e in frequency.detect(frequency_frame(seed, h, h + HOUR))]


def test_each_unit_trip_is_one_excursion_event_within_seconds():
    """Unit trips over two months (about 30), each hour judged alone: one event per
    trip on asset "system", raised within a few seconds of the trip."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    found = trips(7, start, start + timedelta(days=60))
    hours = sorted({t.start.replace(minute=0, second=0, microsecond=0) for t in found})
    events = _frequency_events(7, hours)
    labels = [Label("frequency_excursion", "system", t.start, t.end) for t in found]
    s = score(events, labels)["frequency_excursion"]
    assert s.faults >= 20 and s.found == s.faults and s.events == s.true_events == s.faults
    assert max(s.delays_s) <= 5.0
    assert {e.asset for e in events} == {"system"}


def test_clean_frequency_raises_nothing_but_its_trips_and_an_oscillation_is_found():
    """Two days of hours: only the trips in them are events. Then a 20 s, ±40 mHz swing
    over ten minutes of one hour is one oscillation event there."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    hours = [start + h * HOUR for h in range(48)]
    events = _frequency_events(11, hours)
    assert len(events) == len(trips(11, start, start + 48 * HOUR))
    assert {e.kind for e in events} <= {"frequency_excursion"}

    hour = start + 5 * HOUR
    frame = frequency_frame(11, hour, hour + HOUR)
    t = (frame["ts"] - hour).dt.total_seconds().to_numpy()
    swing = np.where((t >= 1200) & (t < 1800), 0.04 * np.sin(2 * np.pi * t / 20), 0.0)
    events = frequency.detect(frame.with_columns(hz=frame["hz"] + swing))
    osc = [e for e in events if e.kind == "frequency_oscillation"]
    assert len(osc) == 1 and osc[0].asset == "system"
    assert hour + timedelta(minutes=20) < osc[0].start < hour + timedelta(minutes=23)
    assert osc[0].end <= hour + timedelta(minutes=32)  # its window trails by two minutes


def _concurrent(faults: list[Fault], hour: datetime, group: str) -> tuple[set[str], set[str]]:
    """Assets of a peer group faulted in the hour, and those faulted for half of it."""
    kinds = {
        "transformer": ("transformer_overheating",),
        "transformer_gas": ("dga_fault_gas",),
        "line": ("line_overload",),
    }[group]
    hit = [f for f in faults if f.kind in kinds and f.start < hour + HOUR and f.end > hour]
    covered = [f for f in hit if min(f.end, hour + HOUR) - max(f.start, hour) >= HOUR / 2]
    return {f.asset for f in hit}, {f.asset for f in covered}


def test_pyod_ranks_faulted_assets_near_the_top_of_their_peers_and_is_deterministic():
    """Isolation Forest and ECOD on each hour with the hour before, at the simulator's
    usual two faults of a kind a day: an asset faulted for at least half the hour ranks
    within its group's faulted assets plus two (Isolation Forest), or plus two or the
    top tenth (ECOD, which favours units odd in several features at once)."""
    day = _simulate(5, datetime(2026, 2, 10, tzinfo=UTC), hours=8, per_day=2.0, detect=False)
    checked: dict[str, int] = {}
    for h in range(1, 8, 2):
        hour = day.start + h * HOUR
        stats = day.stats.filter(pl.col("hour").is_between(hour - HOUR, hour))
        feats = multivariate.features(stats, day.registry)
        ranks = multivariate.scores(feats, seed=3).filter(pl.col("hour") == hour)
        assert ranks.equals(multivariate.scores(feats, seed=3).filter(pl.col("hour") == hour))
        for group in ("transformer", "transformer_gas", "line"):
            faulted, covered = _concurrent(day.faults, hour, group)
            size = feats[group].filter(pl.col("hour") == hour).height
            for asset in covered:
                got = dict(
                    ranks.filter((pl.col("group") == group) & (pl.col("asset") == asset))
                    .select("detector", "rank")
                    .rows()
                )
                assert got["iforest"] <= len(faulted) + 2, (hour, group, asset, got)
                assert got["ecod"] <= max(len(faulted) + 2, size // 10), (hour, group, asset, got)
                checked[group] = checked.get(group, 0) + 1
    assert checked.keys() == {"transformer", "transformer_gas", "line"}, checked
    columns = ["asset", "hour", "asset_kind", "group", "detector", "score", "rank", "flag"]
    assert ranks.columns == columns
    assert set(ranks["detector"]) == {"iforest", "ecod"}
