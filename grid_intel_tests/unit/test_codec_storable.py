"""What a decoder accepts, bronze can store: a value PostgreSQL would refuse (NUL in
text or jsonb, an int8 overflow, a float or non-string where the column is int2 or
text) fails one COPY and with it the whole hour, so it must be a DecodeError
(quarantined) instead. Oversized messages are refused before they are parsed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from grid_intel.broker.codec import (
    MAX_MESSAGE_BYTES,
    DecodeError,
    decode_alert,
    decode_frequency,
    decode_price,
    decode_scan,
)

TS = "2026-11-24T10:00:05Z"
GOOD: dict[str, tuple[Callable[[bytes | None], Any], dict[str, Any]]] = {
    "scan": (
        decode_scan,
        {
            "v": 1,
            "ts": TS,
            "rtu": "rtu_1",
            "substation": "dorsey",
            "seq": 4,
            "values": {"tx1.oil_temp_c": 41.5},
            "quality": {"tx1.oil_temp_c": "good"},
        },
    ),
    "frequency": (decode_frequency, {"v": 1, "ts": TS, "region": "north", "hz": 60.01}),
    "price": (
        decode_price,
        {
            "v": 1,
            "ts": TS,
            "market": "DA",
            "node": "MHEB",
            "location_type": "interface",
            "interval_minutes": 60,
            "lmp": 30.0,
            "mec": 28.0,
            "mcc": 1.0,
            "mlc": 1.0,
        },
    ),
    "alert": (
        decode_alert,
        {
            "v": 1,
            "ts": TS,
            "id": "a1",
            "asset": "tx_1",
            "kind": "overheating",
            "severity": "warning",
            "message": "hot",
            "detail": {"hot_spot_c": 121.0},
        },
    ),
}


@pytest.mark.parametrize("name", GOOD)
def test_the_good_messages_decode(name):
    decode, body = GOOD[name]
    assert decode(orjson.dumps(body)).ts.isoformat() == "2026-11-24T10:00:05+00:00"


@pytest.mark.parametrize(
    ("name", "change", "reason"),
    [
        ("scan", {"rtu": "rtu\x00"}, "rtu contains a NUL"),
        ("scan", {"substation": "\x00"}, "substation contains a NUL"),
        ("scan", {"values": {"tx1\x00": 1.0}}, "point id contains a NUL"),
        ("scan", {"quality": {"tx1.oil_temp_c": "go\x00od"}}, "NUL"),
        ("scan", {"quality": {"tx1.oil_temp_c": 3}}, "string code"),
        ("scan", {"quality": {"tx1.oil_temp_c": ["good"]}}, "string code"),
        ("scan", {"seq": 2**63}, "seq must be an integer"),
        ("scan", {"seq": 2**64 - 1}, "seq must be an integer"),
        ("frequency", {"region": "north\x00"}, "region contains a NUL"),
        ("price", {"node": "MH\x00EB"}, "node contains a NUL"),
        ("price", {"location_type": "\x00"}, "location_type contains a NUL"),
        ("price", {"interval_minutes": 60.0}, "interval_minutes"),
        ("price", {"interval_minutes": True}, "interval_minutes"),
        ("alert", {"message": "hot\x00"}, "message contains a NUL"),
        ("alert", {"detail": {"note": "a\x00"}}, "detail.note contains a NUL"),
        ("alert", {"detail": {"k\x00": 1}}, "a key of detail contains a NUL"),
        ("alert", {"detail": {"list": [{"deep": "\x00"}]}}, "NUL"),
        ("frequency", {"v": True}, "schema version"),
        ("frequency", {"v": 1.0}, "schema version"),
    ],
)
def test_values_bronze_cannot_store_are_decode_errors(name, change, reason):
    decode, body = GOOD[name]
    with pytest.raises(DecodeError, match=reason):
        decode(orjson.dumps(body | change))


def test_the_largest_seq_and_a_nul_free_detail_still_decode():
    decode, body = GOOD["scan"]
    assert decode(orjson.dumps(body | {"seq": 2**63 - 1})).seq == 2**63 - 1
    decode, body = GOOD["alert"]
    detail = {"note": "a\\u0000 escaped, not NUL", "n": [1, None, {"x": "ok"}]}
    assert decode(orjson.dumps(body | {"detail": detail})).detail == detail


@pytest.mark.parametrize("name", GOOD)
def test_oversized_messages_are_refused_before_parsing(name):
    decode, body = GOOD[name]
    raw = orjson.dumps(body)
    at_limit = raw[:-1] + b" " * (MAX_MESSAGE_BYTES - len(raw)) + b"}"
    assert len(at_limit) == MAX_MESSAGE_BYTES
    decode(at_limit)  # the limit itself is allowed
    with pytest.raises(DecodeError, match=r"1,048,577 bytes is over the 1,048,576-byte limit"):
        decode(at_limit + b" ")
    with pytest.raises(DecodeError, match="over the"):
        decode(b"{" * (MAX_MESSAGE_BYTES + 1))  # not even parsed
