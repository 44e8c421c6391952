"""Every labelled fault is visible in the data it labels; unlabelled data is untouched."""

import contextlib
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from grid_intel.grid.registry import build_registry
from grid_intel.simulation.faults import KINDS, STREAM_FAULTS, VALUE_FAULTS, plan
from grid_intel.simulation.feeds import Feeds

START = datetime(2026, 2, 3, 6, tzinfo=UTC)
END = START + timedelta(hours=2)
REGISTRY = build_registry(1)


def index(messages):
    """(rtu, ts_ms) -> raw values of every delivery, and parsed values of the first."""
    raw, parsed = defaultdict(list), {}
    for m in messages:
        if m.topic == "sensor.readings":
            key = (m.key.decode(), m.timestamp_ms)
            raw[key].append(m.value)
            if key not in parsed:
                with contextlib.suppress(orjson.JSONDecodeError):  # malformed on purpose
                    parsed[key] = orjson.loads(m.value)["values"]
    return raw, parsed


def scan_times(fault):
    t = max(fault.start, START)
    while t < min(fault.end, END):
        yield int(t.timestamp() * 1000)
        t += timedelta(seconds=4)


@pytest.fixture(scope="module")
def runs():
    faulty = Feeds(seed=5, faults=KINDS, faults_per_day=36)
    messages = list(faulty.messages(START, END)) + list(faulty.flush_late())
    clean = list(Feeds(seed=5).messages(START, END))
    return faulty.faults(START, END), messages, index(messages), index(clean)


def test_every_kind_is_injected_and_labelled(runs):
    labels = runs[0]
    assert {f.kind for f in labels} >= set(KINDS)
    assert all(f.start < f.end and f.end > START and f.start < END for f in labels)


def test_value_faults_show_in_their_points(runs):
    labels, _, (_, got), (_, base) = runs
    checked = Counter()
    for f in labels:
        if f.kind not in VALUE_FAULTS:
            continue
        pid = f.points[0]
        rtu = REGISTRY.by_id[pid].rtu
        keys = [(rtu, t) for t in scan_times(f) if (rtu, t) in got and (rtu, t) in base]
        if len(keys) < 2:
            continue  # the RTU's messages were hit by a stream fault too
        g = [got[k][pid] for k in keys]
        b = [base[k][pid] for k in keys]
        ramped = keys[-1][1] / 1000 - f.start.timestamp() >= 1800  # ramps take 30 min
        if f.kind == "transformer_overheating":
            assert g[-1] > b[-1] + (10 if ramped else 0)
        elif f.kind == "dga_fault_gas":
            assert all(x >= y for x, y in zip(g, b, strict=True)) and g[-1] > b[-1]
        elif f.kind == "stuck_sensor":
            assert len(set(g)) == 1 and len(set(b)) > 1
        elif f.kind == "spike":
            assert any(abs(x - y) > max(abs(y), 1.0) for x, y in zip(g, b, strict=True))
        elif f.kind == "dropout":
            assert all(x is None for x in g)
        elif f.kind == "breaker_chatter":
            chatter = [got[k][f"{f.asset}.status"] for k in keys]
            assert set(chatter) == {0.0, 1.0}
        elif f.kind == "line_overload":
            assert g[-1] > b[-1] * (1.2 if ramped else 1.0)
        checked[f.kind] += 1
    assert set(checked) == set(VALUE_FAULTS)


def test_stream_faults_show_in_the_message_stream(runs):
    labels, messages, (raw, _), (clean_raw, _) = runs
    position = {}
    for i, m in enumerate(messages):
        if m.topic == "sensor.readings":
            position.setdefault((m.key.decode(), m.timestamp_ms), i)
    checked = Counter()
    for f in labels:
        if f.kind not in STREAM_FAULTS:
            continue
        keys = [(f.asset, t) for t in scan_times(f) if (f.asset, t) in clean_raw]
        for k in keys:
            if f.kind == "data_gap":
                assert k not in raw
            elif f.kind == "duplicate_message":
                assert len(raw[k]) == 2 and raw[k][0] == raw[k][1]
            elif f.kind == "malformed_message":
                with pytest.raises(orjson.JSONDecodeError):
                    orjson.loads(raw[k][0])
            elif f.kind == "late_message":  # delivered after scans ten minutes newer
                newer = [i for (r, t), i in position.items() if t >= k[1] + 600_000]
                assert not newer or position[k] > min(newer)
        checked[f.kind] += bool(keys)
    assert set(checked) == set(STREAM_FAULTS)


def test_unlabelled_points_equal_the_clean_run(runs):
    labels, _, (_, got), (_, base) = runs
    touched = {p for f in labels for p in f.points}
    compared = 0
    for key, values in base.items():
        if key in got:
            for pid, v in values.items():
                if pid not in touched:
                    assert got[key][pid] == v
                    compared += 1
    assert compared > 100_000


def test_planning_is_deterministic_and_checked():
    assert plan(5, REGISTRY, START, END, KINDS, 36) == plan(5, REGISTRY, START, END, KINDS, 36)
    assert plan(5, REGISTRY, START, END, KINDS, 36) != plan(6, REGISTRY, START, END, KINDS, 36)
    with pytest.raises(ValueError, match="unknown fault kinds"):
        Feeds(seed=5, faults=["meteor_strike"])
