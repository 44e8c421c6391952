"""Bad messages on every topic, through the real broker and the bronze assets.

Each topic gets good messages mixed with bad ones (garbage, truncated JSON, another
schema, wrong types, values PostgreSQL cannot store, oversized, empty, null). One
run of the hour must load every good message exactly once and quarantine every bad
one with its offset and a reason; a second run of the same offsets changes nothing.
A poison message must never fail the hour: that would stall the topic's bronze.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import dagster as dg
import orjson
import pytest

from grid_intel.broker.topics import TOPICS
from grid_intel.broker.windows import to_ms
from grid_intel.defs.bronze.assets import BRONZE_ASSETS, op_name
from grid_intel.defs.resources import build_resources
from grid_intel.ingestion.tables import BRONZE_TOPICS, BronzeTopic
from grid_intel.settings import Settings
from grid_intel.warehouse.connection import connect
from grid_intel_tests.conftest import fresh_warehouse
from grid_intel_tests.hours import hour_ago

TAG = uuid.uuid4().hex[:8]  # this run's keys, regions, nodes and assets
# An hour of its own: other modules use the last dozen hours; Kafka keeps 7 days.
HOUR = hour_ago(31)
OVERSIZED = 2 << 20  # bytes: under the broker's 8 MiB limit, over the codec's

Body = dict[str, Any]


@dataclass(frozen=True)
class Case:
    name: str
    key: bytes
    value: bytes | None
    reason: str  # a fragment of the quarantine error ("" for a good message)
    minute: float


@dataclass(frozen=True)
class Sent:
    case: Case
    partition: int
    offset: int


def iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def at(minute: float) -> datetime:
    return HOUR + timedelta(minutes=minute)


def scan(i: int) -> Body:
    return {
        "v": 1,
        "ts": iso(at(i)),
        "rtu": f"rtu_{TAG}_{i}",
        "substation": f"sub_{TAG}",
        "seq": i,
        "values": {"tx1.oil_temp_c": 41.5 + i, "tx1.load_mva": 120.0, "cb1.status": None},
        "quality": {"tx1.oil_temp_c": "good", "tx1.load_mva": "suspect"},
    }


def frequency(i: int) -> Body:
    return {"v": 1, "ts": iso(at(i)), "region": f"region_{TAG}_{i}", "hz": 59.98, "rocof": 0.01}


def price(i: int) -> Body:
    return {
        "v": 1,
        "ts": iso(at(i)),
        "market": "RT",
        "node": f"NODE.{TAG}.{i}",
        "location_type": "interface",
        "interval_minutes": 5,
        "lmp": 31.25,
        "mec": 29.0,
        "mcc": 1.5,
        "mlc": 0.75,
    }


def alert(i: int) -> Body:
    return {
        "v": 1,
        "ts": iso(at(i)),
        "id": f"alert-{TAG}-{i}",
        "asset": f"tx_{TAG}_{i}",
        "kind": "transformer_overheating",
        "severity": "critical",
        "message": "hot spot 131 °C",
        "detail": {"hot_spot_c": 131.2, "limit_c": 120},
    }


GOOD: dict[str, Callable[[int], Body]] = {
    "sensor.readings": scan,
    "grid.frequency": frequency,
    "market.prices": price,
    "grid.alerts": alert,
}
TEXT_FIELD = {
    "sensor.readings": "rtu",
    "grid.frequency": "region",
    "market.prices": "node",
    "grid.alerts": "message",
}
# Wrong types and values a row cannot hold, per topic: (case, change to a good body, reason).
WRONG: dict[str, list[tuple[str, Body, str]]] = {
    "sensor.readings": [
        ("values as a list", {"values": [1.0, 2.0]}, "values"),
        ("no values", {"values": {}}, "values"),
        ("a value as text", {"values": {"p": "41.5"}}, "non-numeric"),
        ("seq as text", {"seq": "7"}, "seq"),
        ("seq beyond int8", {"seq": 2**64 - 1}, "seq"),
        ("quality as a list", {"quality": ["good"]}, "quality"),
        ("a quality code as a number", {"quality": {"tx1.load_mva": 3}}, "quality"),
        ("NUL in a point id", {"values": {"tx1\x00load": 1.0}}, "NUL"),
        ("NUL in a quality code", {"quality": {"tx1.load_mva": "go\x00od"}}, "NUL"),
    ],
    "grid.frequency": [
        ("hz as text", {"hz": "59.98"}, "finite number"),
        ("hz as a boolean", {"hz": True}, "finite number"),
        ("hz not physical", {"hz": 1e300}, "physical"),
        ("region as a number", {"region": 5}, "region"),
        ("rocof as an object", {"rocof": {"x": 1}}, "rocof"),
    ],
    "market.prices": [
        ("unknown market", {"market": "XX"}, "market"),
        ("interval as a float", {"interval_minutes": 5.0}, "interval_minutes"),
        ("interval as text", {"interval_minutes": "5"}, "interval_minutes"),
        ("lmp as text", {"lmp": "31.25"}, "lmp"),
        ("node as a list", {"node": ["MHEB"]}, "node"),
    ],
    "grid.alerts": [
        ("unknown severity", {"severity": "fatal"}, "severity"),
        ("detail as a list", {"detail": [1, 2]}, "detail"),
        ("NUL inside detail", {"detail": {"note": "a\x00b"}}, "NUL"),
        ("NUL in a detail key", {"detail": {"a\x00": 1}}, "NUL"),
        ("message as a number", {"message": 5}, "message"),
        ("empty id", {"id": ""}, "id"),
    ],
}
OTHER_TOPIC = {  # a valid message of another topic: the wrong schema
    "sensor.readings": "grid.frequency",
    "grid.frequency": "market.prices",
    "market.prices": "grid.alerts",
    "grid.alerts": "sensor.readings",
}


def encode(body: Body) -> bytes:
    return orjson.dumps(body)


def cases(topic: str) -> list[Case]:
    """Good messages interleaved with bad ones; every message's event time is in HOUR."""
    make = GOOD[topic]
    good = [Case(f"good {i}", f"good-{TAG}-{i}".encode(), encode(make(i)), "", i) for i in range(6)]
    base = make(30)
    text = TEXT_FIELD[topic]
    no_version = {k: v for k, v in base.items() if k != "v"}
    missing = {k: v for k, v in base.items() if k != text}
    bad: list[tuple[str, bytes | None, str]] = [
        ("empty", b"", "empty"),
        ("null value", None, "empty"),
        ("binary garbage", bytes(range(256)) * 4, "not JSON"),
        ("truncated JSON", encode(base)[:25], "not JSON"),
        ("invalid UTF-8", encode(base).replace(b'"v"', b'"\xff\xfe"'), "not JSON"),
        ("NaN", encode(base).replace(b'"v":1', b'"v":NaN'), "not JSON"),
        ("a JSON array", b"[1, 2, 3]", "JSON object"),
        ("JSON null", b"null", "JSON object"),
        ("other schema version", encode(base | {"v": 2}), "schema version"),
        ("no schema version", encode(no_version), "schema version"),
        ("version as a boolean", encode(base | {"v": True}), "schema version"),
        ("another topic's message", encode(GOOD[OTHER_TOPIC[topic]](30)), ""),
        (f"no {text}", encode(missing), text),
        (f"NUL in {text}", encode(base | {text: "a\x00b"}), "NUL"),
        ("time without offset", encode(base | {"ts": iso(at(30))[:-1]}), "UTC offset"),
        ("time not ISO", encode(base | {"ts": "yesterday"}), "ISO-8601"),
        ("payload time outside the hour", encode(base | {"ts": iso(at(-90))}), "outside"),
        ("oversized", encode(base | {"pad": "x" * OVERSIZED}), "bytes"),
        *((name, encode(base | change), reason) for name, change, reason in WRONG[topic]),
    ]
    out: list[Case] = []
    for i, (name, value, reason) in enumerate(bad):
        out.append(Case(name, f"bad-{TAG}-{i}".encode(), value, reason, 10 + i))
        if i < len(good):
            out.append(good[i])
    return out


def publish(settings: Settings, topic: str, batch: list[Case]) -> list[Sent]:
    with settings.kafka_producer(bulk=True) as p:  # bulk: room for the oversized one
        futures = [
            (c, p.send(topic, key=c.key, value=c.value, timestamp_ms=to_ms(at(c.minute))))
            for c in batch
        ]
        p.flush()
        return [
            Sent(c, meta.partition, meta.offset)
            for c, meta in ((c, f.get(timeout=30)) for c, f in futures)
        ]


def run_config(bronze: BronzeTopic, sent: list[Sent]) -> dict[str, Any]:
    """Offset ranges as the topic's sensor would hand them to the run."""
    parts = sorted({s.partition for s in sent})
    ranges = [
        {
            "partition": p,
            "start": min(s.offset for s in sent if s.partition == p),
            "stop": max(s.offset for s in sent if s.partition == p) + 1,
        }
        for p in parts
    ]
    return {"ops": {op_name(bronze): {"config": {"ranges": ranges}}}}


def materialize(settings: Settings, bronze: BronzeTopic, config: dict[str, Any]) -> dict:
    asset = BRONZE_ASSETS[bronze.topic.name]
    result = dg.materialize(
        [asset],
        partition_key=HOUR.strftime("%Y-%m-%d-%H:%M"),
        run_config=config,
        resources=build_resources(settings),
    )
    assert result.success  # bad messages never fail the hour
    (mat,) = result.asset_materializations_for_node(asset.op.name)
    return {k: v.value for k, v in mat.metadata.items()}


def snapshot(settings: Settings, bronze: BronzeTopic) -> tuple[list[tuple], list[tuple]]:
    """The hour's bronze rows and the topic's quarantine rows (without their timestamp)."""
    cols = ", ".join(bronze.table.names)
    with connect(settings.warehouse) as conn:
        rows = conn.execute(
            f"select {cols} from {bronze.table.qualified} where ts >= %s and ts < %s"
            " order by kafka_partition, kafka_offset, 1, 2, 3, 4",
            (HOUR, HOUR + timedelta(hours=1)),
        ).fetchall()
        quarantined = conn.execute(
            "select topic, kafka_partition, kafka_offset, record_ts, key, value, error"
            " from bronze.quarantine where topic = %s order by kafka_partition, kafka_offset",
            (bronze.topic.name,),
        ).fetchall()
    return rows, quarantined


def rows_per_message(bronze: BronzeTopic, value: bytes) -> int:
    return len(orjson.loads(value)["values"]) if bronze.topic.name == "sensor.readings" else 1


@pytest.fixture(scope="module")
def warehouse(stack: Settings) -> Iterator[Settings]:
    yield from fresh_warehouse(stack, "grid_intel_bad_messages")


def test_every_topic_is_covered():
    assert {b.topic.name for b in BRONZE_TOPICS} == {t.name for t in TOPICS} == set(GOOD)


@pytest.mark.parametrize("bronze", BRONZE_TOPICS, ids=lambda b: b.topic.name)
def test_bad_messages_are_quarantined_and_good_ones_load_once(
    warehouse: Settings, bronze: BronzeTopic
):
    sent = publish(warehouse, bronze.topic.name, cases(bronze.topic.name))
    good = [s for s in sent if s.case.name.startswith("good")]
    bad = [s for s in sent if not s.case.name.startswith("good")]
    assert len({s.partition for s in sent}) > 1 or bronze.topic.partitions == 1
    config = run_config(bronze, sent)

    meta = materialize(warehouse, bronze, config)
    rows, quarantined = snapshot(warehouse, bronze)

    per_offset: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row[-2], row[-1])  # kafka_partition, kafka_offset
        per_offset[key] = per_offset.get(key, 0) + 1
    for s in good:
        assert s.case.value is not None
        want = rows_per_message(bronze, s.case.value)
        assert per_offset.get((s.partition, s.offset)) == want, s.case.name
    by_offset = {(q[1], q[2]): q for q in quarantined}
    for s in bad:
        where = (s.partition, s.offset)
        assert where not in per_offset, f"{s.case.name} reached bronze"
        q = by_offset.get(where)
        assert q is not None, f"{s.case.name} was not quarantined"
        topic, _, _, record_ts, key, value, error = q
        assert topic == bronze.topic.name and record_ts == at(s.case.minute)
        assert bytes(key) == s.case.key
        assert (None if value is None else bytes(value)) == s.case.value
        assert s.case.reason in error and error, f"{s.case.name}: {error}"
    assert meta["quarantined"] >= len(bad) and meta["messages"] >= len(sent)

    # The same offsets again: the same rows, the same quarantine, nothing doubled.
    again = materialize(warehouse, bronze, config)
    assert snapshot(warehouse, bronze) == (rows, quarantined)
    assert again["dagster/row_count"] == meta["dagster/row_count"] == len(rows)
    assert again["rows_replaced"] == len(rows)
