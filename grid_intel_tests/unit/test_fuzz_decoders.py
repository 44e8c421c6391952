"""Property-based fuzzing of every topic's decoder (`grid_intel.broker.codec`).

Whatever a producer sends, a decoder must return a record whose bronze rows
PostgreSQL will take, or raise `DecodeError` (the message is quarantined). Any
other exception, or a row the binary COPY would refuse, fails the whole hour and
then every retry of it. Inputs: arbitrary bytes, arbitrary JSON, and valid
messages mutated (keys dropped or renamed, types swapped, huge numbers, NaN and
infinities, NUL and lone surrogates, truncation). Valid records round-trip
through the encoders the producers use. Derandomized, so CI runs the same cases.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import polars as pl
import psycopg
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from psycopg.adapt import Transformer
from psycopg.pq import Format

from grid_intel.broker.codec import (
    MARKETS,
    MAX_DETAIL_DEPTH,
    SEVERITIES,
    Alert,
    DecodeError,
    FrequencyReading,
    decode_alert,
    decode_frequency,
    decode_price,
    decode_scan,
    encode_alert,
    encode_frequency,
)
from grid_intel.ingestion.tables import BRONZE_TOPICS, BronzeTopic
from grid_intel.simulation import scada
from grid_intel.simulation.messages import price_messages, scan_message
from grid_intel_tests.unit.fuzzing import FUZZ

BRONZE = {b.topic.name: b for b in BRONZE_TOPICS}
DECODERS: dict[str, Callable[[bytes | None], object]] = {
    "sensor.readings": decode_scan,
    "grid.frequency": decode_frequency,
    "market.prices": decode_price,
    "grid.alerts": decode_alert,
}
TOPICS = sorted(DECODERS)
INT_RANGE = {"int2": 2**15, "int4": 2**31, "int8": 2**63}
NULLABLE = {"rocof_hz_per_s", "value", "quality"}
RAW = "\ue000raw\ue000"  # a placeholder replaced by a raw JSON token after dumping

# --- what bronze can store ---------------------------------------------------------


def _json_ok(value: object) -> bool:
    try:
        text = json.dumps(value, allow_nan=False)  # what psycopg's jsonb dumper sends
    except (TypeError, ValueError):
        return False
    return "\\u0000" not in text  # PostgreSQL's jsonb refuses the NUL escape


def _storable(value: object, pg_type: str) -> bool:
    if pg_type == "text":
        if not isinstance(value, str) or "\x00" in value:
            return False
        try:
            value.encode("utf-8")  # a lone surrogate cannot be sent
        except UnicodeEncodeError:
            return False
        return True
    if pg_type == "float8":
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    if pg_type in INT_RANGE:
        bound = INT_RANGE[pg_type]
        return type(value) is int and -bound <= value < bound
    if pg_type == "timestamptz":
        return isinstance(value, datetime) and value.utcoffset() is not None
    if pg_type == "jsonb":
        return isinstance(value, dict) and _json_ok(value)
    raise AssertionError(f"no storability rule for {pg_type}")


def assert_storable(bronze: BronzeTopic, value: bytes) -> None:
    """Decoding gives rows each column can hold (and psycopg can dump), or DecodeError."""
    try:
        ts, rows = bronze.rows(value, 0, 0)
    except DecodeError as exc:
        assert str(exc), "a DecodeError must say why"
        return
    assert isinstance(ts, datetime) and ts.utcoffset() is not None
    assert rows, "a decoded message gives at least one row"
    types = [t for _, t in bronze.table.columns]
    tx = Transformer()
    tx.set_dumper_types([psycopg.adapters.types[t].oid for t in types], Format.BINARY)
    for row in rows:
        assert len(row) == len(types)
        for (name, pg_type), v in zip(bronze.table.columns, row, strict=True):
            if v is None:
                assert name in NULLABLE, f"{name} may not be null"
            else:
                assert _storable(v, pg_type), f"{name} ({pg_type}) cannot hold {v!r}"
        tx.dump_sequence(row, [Format.BINARY] * len(types))


# --- strategies --------------------------------------------------------------------

clean_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)
names = clean_text.filter(bool)
hostile_text = st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", ""]) | st.text(max_size=12)
offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
aware = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)
finite = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)  # what orjson keeps as int
    | finite
    | clean_text
)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(clean_text, kids, max_size=4),
    max_leaves=12,
)
json_details = st.dictionaries(clean_text, json_values, max_size=4)
# Anything json.dumps can write, NaN and lone surrogates included.
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(hostile_text, kids, max_size=4),
    max_leaves=16,
)
huge = st.sampled_from(
    [2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, 1e308, -1e308, 5e-324, -0.0, 0]
)
raw_tokens = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e999", "-1e400", "01", "1.", ".5", "+1", "0x10", "true"]
)
iso_like = st.from_regex(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d(:?\d\d(:\d\d)?)?)?",
    fullmatch=True,
)


def iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def bodies(topic: str) -> st.SearchStrategy[dict[str, Any]]:
    """Valid message bodies of a topic (what its schema allows)."""
    ts = aware.map(iso)
    if topic == "grid.frequency":
        return st.fixed_dictionaries(
            {
                "v": st.just(1),
                "ts": ts,
                "region": names,
                "hz": st.floats(0, 120, exclude_min=True, exclude_max=True),
                "rocof": st.none() | finite,
            }
        )
    if topic == "sensor.readings":
        return st.fixed_dictionaries(
            {
                "v": st.just(1),
                "ts": ts,
                "rtu": names,
                "substation": names,
                "seq": st.integers(0, 2**63 - 1),
                "values": st.dictionaries(clean_text, st.none() | finite, min_size=1, max_size=5),
                "quality": st.dictionaries(clean_text, clean_text, max_size=3),
            }
        )
    if topic == "market.prices":
        return st.fixed_dictionaries(
            {
                "v": st.just(1),
                "ts": ts,
                "market": st.sampled_from(MARKETS),
                "node": names,
                "location_type": names,
                "interval_minutes": st.sampled_from([5, 60]),
                **{k: finite for k in ("lmp", "mec", "mcc", "mlc")},
            }
        )
    return st.fixed_dictionaries(
        {
            "v": st.just(1),
            "ts": ts,
            "id": names,
            "asset": names,
            "kind": names,
            "severity": st.sampled_from(SEVERITIES),
            "message": names,
            "detail": json_details,
        }
    )


def dump(body: object, raw: str = "null") -> bytes:
    """JSON as a careless producer might write it: NaN tokens, lone surrogates (escaped
    or as invalid UTF-8), and `RAW` standing for a raw token."""
    text = json.dumps(body, allow_nan=True, ensure_ascii=False)
    text = text.replace(json.dumps(RAW, ensure_ascii=False), raw)
    return text.encode("utf-8", "surrogatepass")


OPS = ("drop", "rename", "swap", "huge", "raw", "text", "ts", "nested", "version")


@st.composite
def mutated(draw: st.DrawFn, topic: str) -> bytes:
    """A valid message with one (mostly) to three things wrong with it."""
    body: dict[str, Any] = draw(bodies(topic))
    raw = draw(raw_tokens)
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        op = draw(st.sampled_from(OPS))
        typed = [k for k in sorted(body) if isinstance(body[k], dict if op == "nested" else str)]
        key = draw(st.sampled_from(typed if op in ("text", "nested") and typed else ["v", *body]))
        if op == "drop":
            body.pop(key, None)
        elif op == "rename":
            body[draw(hostile_text)] = body.pop(key, None)
        elif op == "swap":
            body[key] = draw(any_json)
        elif op == "huge":
            body[key] = draw(huge)
        elif op == "raw":
            body[key] = RAW
        elif op == "text":
            body[key] = draw(hostile_text)
        elif op == "ts":
            body["ts"] = draw(iso_like | st.text(max_size=30) | huge)
        elif op == "nested" and isinstance(body.get(key), dict):
            body[key][draw(hostile_text)] = draw(hostile_text | any_json | huge)
        else:
            body["v"] = draw(st.sampled_from([0, 2, 1.0, True, "1", None]))
    data = dump(body, raw)
    if draw(st.integers(0, 7)) == 0:  # now and then, a message cut short
        return data[: draw(st.integers(0, len(data)))]
    return data


def with_hostile_string(draw: st.DrawFn, body: dict[str, Any]) -> bytes:
    """The message with one string (a field, or a key or value inside an object field)
    replaced by NUL, a lone surrogate, an empty or arbitrary text."""
    bad = draw(hostile_text)
    spots = [(k, None) for k, v in body.items() if isinstance(v, str)]
    spots += [(k, inner) for k, v in body.items() if isinstance(v, dict) for inner in [*v, None]]
    field, inner = draw(st.sampled_from(sorted(spots, key=repr)))
    if not isinstance(body[field], dict):
        body[field] = bad
    elif inner is None:
        body[field][bad] = draw(st.none() | finite | names)
    elif draw(st.booleans()):
        body[field][bad] = body[field].pop(inner)
    else:
        body[field][inner] = bad
    return dump(body)


# --- properties --------------------------------------------------------------------


@pytest.mark.parametrize("topic", TOPICS)
@FUZZ
@given(data=st.binary(max_size=512))
@example(data=b"")
@example(data=b"\xff\xfe{")
@example(data=b'{"v":1}')
def test_arbitrary_bytes_decode_to_storable_rows_or_a_decode_error(topic: str, data: bytes):
    assert_storable(BRONZE[topic], data)


@pytest.mark.parametrize("topic", TOPICS)
@FUZZ
@given(value=any_json)
def test_arbitrary_json_decodes_to_storable_rows_or_a_decode_error(topic: str, value: object):
    assert_storable(BRONZE[topic], dump(value))


@pytest.mark.parametrize("topic", TOPICS)
@FUZZ
@given(data=st.data())
def test_mutated_messages_decode_to_storable_rows_or_a_decode_error(topic: str, data):
    assert_storable(BRONZE[topic], data.draw(mutated(topic)))


@pytest.mark.parametrize("topic", TOPICS)
@FUZZ
@given(data=st.data())
def test_valid_messages_decode_and_hostile_strings_are_stored_or_refused(topic: str, data):
    """Every message its schema allows decodes to storable rows; the same message with
    one hostile string decodes to storable rows or is a DecodeError."""
    body = data.draw(bodies(topic))
    raw = orjson.dumps(body)
    DECODERS[topic](raw)  # no DecodeError for a message its schema allows
    assert_storable(BRONZE[topic], raw)
    assert_storable(BRONZE[topic], with_hostile_string(data.draw, body))


@pytest.mark.parametrize("depth", [MAX_DETAIL_DEPTH + 1, 990, 1022])
def test_deeply_nested_detail_is_a_decode_error_not_a_recursion_error(depth: int):
    """Found by fuzzing: ~1000 levels of nesting (under orjson's 1024) raised
    RecursionError in the NUL check, failing the hour instead of quarantining one alert."""
    detail = "[" * depth + "]" * depth
    raw = (
        '{"v":1,"ts":"2026-11-24T10:00:05Z","id":"a","asset":"t","kind":"k",'
        f'"severity":"info","message":"m","detail":{{"d":{detail}}}}}'
    ).encode()
    with pytest.raises(DecodeError, match=f"nested deeper than {MAX_DETAIL_DEPTH} levels"):
        decode_alert(raw)
    assert_storable(BRONZE["grid.alerts"], raw)


# --- round trips through the producers' encoders ----------------------------------


@FUZZ
@given(
    ts=aware,
    region=names,
    hz=st.floats(0, 120, exclude_min=True, exclude_max=True),
    rocof=st.none() | finite,
)
def test_frequency_round_trip(ts: datetime, region: str, hz: float, rocof: float | None):
    reading = FrequencyReading(ts, region, hz, rocof)
    back = decode_frequency(encode_frequency(reading))
    assert back == reading and back.ts.utcoffset() == ts.utcoffset()


@FUZZ
@given(
    ts=aware,
    texts=st.tuples(names, names, names, names),
    severity=st.sampled_from(SEVERITIES),
    detail=json_details,
)
def test_alert_round_trip(ts: datetime, texts, severity: str, detail: dict[str, Any]):
    alert_id, asset, kind, message = texts
    alert = Alert(ts, alert_id, asset, kind, severity, message, detail)
    assert decode_alert(encode_alert(alert)) == alert


@FUZZ
@given(
    ts=aware.map(lambda t: t.astimezone(UTC)),
    rtu=names,
    substation=names,
    seq=st.integers(0, 2**63 - 1),
    values=st.dictionaries(names, st.none() | finite, min_size=1, max_size=6),
    quality=st.dictionaries(names, names, max_size=3),
)
def test_scan_round_trip(ts, rtu, substation, seq, values, quality):
    """The simulator's encoder (`scan_message`) and the decoder agree on every field."""
    msg = scan_message(scada.Scan(rtu, ts, seq, values, quality), substation)
    back = decode_scan(msg.value)
    assert (back.ts, back.rtu, back.substation, back.seq) == (ts, rtu, substation, seq)
    assert back.values == values and back.quality == quality
    assert msg.key == rtu.encode() and msg.timestamp_ms == int(ts.timestamp() * 1000)


cents = st.integers(-100_000_00, 100_000_00).map(lambda c: c / 100)


@FUZZ
@given(
    start=st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1)).map(
        lambda t: t.replace(second=0, microsecond=0, tzinfo=UTC)
    ),
    market=st.sampled_from(MARKETS),
    node=names,
    location_type=names,
    parts=st.tuples(cents, cents, cents),
)
def test_price_round_trip(start, market, node, location_type, parts):
    """The simulator's encoder keeps cents and LMP = MEC + MCC + MLC exactly as decoded."""
    minutes = 5 if market == "RT" else 60
    frame = pl.DataFrame(
        [(start, start + timedelta(minutes=minutes), market, node, location_type, 0, *parts)],
        schema={
            "interval_start": pl.Datetime("us", "UTC"),
            "interval_end": pl.Datetime("us", "UTC"),
            "market": pl.String(),
            "location": pl.String(),
            "location_type": pl.String(),
            "lmp": pl.Float64(),
            "energy": pl.Float64(),
            "congestion": pl.Float64(),
            "loss": pl.Float64(),
        },
        orient="row",
    )
    (msg,) = price_messages(frame)
    p = decode_price(msg.value)
    assert (p.ts, p.market, p.node, p.location_type) == (start, market, node, location_type)
    assert p.interval_minutes == minutes
    assert (p.mec, p.mcc, p.mlc) == parts
    assert p.lmp == round(sum(parts), 2)
