"""The stream's filters, message shapes and fan-out policy, without a socket or broker."""

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from grid_intel.api.relay import Hub, Relay, farewell
from grid_intel.api.stream_filters import (
    FilterError,
    StreamFilter,
    encode,
    heartbeat,
    message,
    parse,
    point_asset,
)
from grid_intel.broker.codec import Alert, FrequencyReading, Scan, encode_alert, encode_frequency
from grid_intel.broker.security import KafkaSecurity

TS = datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC)
SCAN = Scan(
    TS,
    "rtu_ds_a",
    "ds_a",
    7,
    {"ds_a.voltage_kv": 115.1, "ds_a_t1.load_mva": 44.0, "ds_a_t1.top_oil_temp_c": None},
    {"ds_a.voltage_kv": "good", "ds_a_t1.top_oil_temp_c": "bad"},
)
FREQ = FrequencyReading(TS, "interlake", 60.004, 0.0005)


def alert(asset="ds_a_t1", kind="overheating", severity="warning") -> Alert:
    return Alert(TS, f"a-{asset}-{kind}", asset, kind, severity, "hot", {"limit_c": 120})


def parsed(**params: str) -> StreamFilter:
    return parse(params, heartbeat_s=15, buffer=1000)[0]


def test_defaults_stream_everything():
    flt, options = parse({}, heartbeat_s=15, buffer=1000)
    assert flt.types == {"reading", "frequency", "alert"}
    assert (options.heartbeat_s, options.buffer) == (15, 1000)
    assert flt.select(SCAN) is SCAN and flt.select(FREQ) is FREQ
    assert flt.select(alert()) is not None


def test_comma_lists_and_options():
    flt, options = parse(
        {"types": "alert, reading", "asset": "a,b", "heartbeat": "2.5", "buffer": "3"},
        heartbeat_s=15,
        buffer=1000,
    )
    assert flt.types == {"alert", "reading"} and flt.assets == {"a", "b"}
    assert (options.heartbeat_s, options.buffer) == (2.5, 3)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"typo": "x"}, "unknown parameter 'typo'"),
        ({"types": "alert,price"}, "types must be a comma list"),
        ({"types": ","}, "types is empty"),
        ({"min_severity": "fatal"}, "min_severity must be one of"),
        ({"asset": "x y"}, "not an id"),
        ({"types": "frequency", "kind": "spike"}, "kind filters alert"),
        ({"types": "alert", "region": "interlake"}, "region filters frequency"),
        ({"types": "frequency", "points": "a.b"}, "points filters reading"),
        ({"heartbeat": "0"}, "between 1 and 60"),
        ({"heartbeat": "nan"}, "between 1 and 60"),
        ({"heartbeat": "soon"}, "must be a number"),
        ({"buffer": "2.5"}, "must be an integer"),
        ({"buffer": "5000"}, "between 1 and 1000"),
    ],
)
def test_invalid_queries_say_why(params, reason):
    with pytest.raises(FilterError, match=reason):
        parse(params, heartbeat_s=15, buffer=1000)


def test_alert_filters():
    flt = parsed(types="alert", asset="ds_a_t1", kind="overheating,spike", min_severity="warning")
    assert flt.select(alert()) is not None
    assert flt.select(alert(severity="critical")) is not None
    assert flt.select(alert(severity="info")) is None
    assert flt.select(alert(asset="other")) is None
    assert flt.select(alert(kind="dropout")) is None
    assert flt.select(SCAN) is None and flt.select(FREQ) is None


def test_a_filter_on_a_field_a_type_lacks_excludes_that_type():
    assert parsed(region="interlake").select(alert()) is None
    assert parsed(region="interlake").select(FREQ) is FREQ
    assert parsed(region="winnipeg").select(FREQ) is None
    assert parsed(asset="ds_a_t1").select(FREQ) is None
    assert parsed(min_severity="info").select(SCAN) is None


def test_a_scan_is_narrowed_to_the_matching_points():
    by_asset = parsed(types="reading", asset="ds_a_t1").select(SCAN)
    assert by_asset is not None
    assert set(by_asset.values) == {"ds_a_t1.load_mva", "ds_a_t1.top_oil_temp_c"}
    assert by_asset.quality == {"ds_a_t1.top_oil_temp_c": "bad"}
    by_point = parsed(points="ds_a.voltage_kv,elsewhere.x").select(SCAN)
    assert by_point is not None and by_point.values == {"ds_a.voltage_kv": 115.1}
    assert parsed(points="ds_a.voltage_kv", asset="ds_a_t1").select(SCAN) is None
    assert parsed(points="elsewhere.x").select(SCAN) is None
    assert point_asset("ds_a_t1.load_mva") == "ds_a_t1" and point_asset("bare") == "bare"


def test_messages_carry_type_data_and_utc_iso_times():
    winnipeg = TS.astimezone(timezone(timedelta(hours=-6)))
    reading = json.loads(encode(message(SCAN)))
    assert reading["type"] == "reading" and reading["data"]["ts"] == "2026-11-24T10:00:05Z"
    assert reading["data"]["values"]["ds_a_t1.top_oil_temp_c"] is None
    freq = message(FrequencyReading(winnipeg, "interlake", 60.0))
    assert freq == {
        "type": "frequency",
        "data": {
            "ts": "2026-11-24T10:00:05Z",
            "region": "interlake",
            "frequency_hz": 60.0,
            "rocof_hz_per_s": None,
        },
    }
    a = message(alert())
    assert a["type"] == "alert" and a["data"]["asset"] == "ds_a_t1"
    assert a["data"]["severity"] == "warning" and a["data"]["detail"] == {"limit_c": 120}
    beat = heartbeat(winnipeg, kafka=True)
    assert beat["type"] == "heartbeat" and beat["ts"] == "2026-11-24T10:00:05Z"
    assert beat["data"]["kafka"] is True


def texts(sub) -> list[dict]:
    out = []
    while not sub.queue.empty():
        out.append(json.loads(sub.queue.get_nowait()))
    return out


def test_hub_fans_out_by_filter_and_tracks_wanted_types():
    hub = Hub()
    alerts = hub.subscribe(parsed(types="alert"), 10)
    points = hub.subscribe(parsed(points="ds_a.voltage_kv"), 10)
    assert hub.wanted == {"alert", "reading"}
    hub.publish([SCAN, FREQ, alert()])
    assert [m["type"] for m in texts(alerts)] == ["alert"]
    [reading] = texts(points)
    assert reading["data"]["values"] == {"ds_a.voltage_kv": 115.1}
    hub.unsubscribe(points)
    assert hub.wanted == {"alert"} and alerts.gone.is_set() is False


def test_a_slow_subscriber_is_dropped_without_holding_up_the_others():
    hub = Hub()
    slow = hub.subscribe(parsed(types="alert"), 3)
    fast = hub.subscribe(parsed(types="alert"), 3)
    for i in range(10):
        hub.publish([alert(asset=f"asset_{i}")])
        texts(fast)  # the fast one keeps reading
    assert slow.dropped is not None and "slow consumer" in slow.dropped
    assert slow.gone.is_set() and slow not in hub.subscribers
    assert slow.queue.qsize() == 3  # what it had; nothing after the drop
    assert fast.dropped is None and fast in hub.subscribers
    assert hub.stats.dropped_clients == 1 and hub.stats.published == 10
    last = json.loads(farewell(slow))
    assert last["type"] == "dropped" and "slow consumer" in last["reason"]
    assert hub.offer(slow, "{}") is False  # a dropped client is never queued again


def test_relay_skips_malformed_and_unwanted_messages():
    hub = Hub()
    relay = Relay("127.0.0.1:1", KafkaSecurity(), hub, asyncio.new_event_loop())
    assert relay.decode("grid.alerts", encode_alert(alert())) is None  # nobody wants alerts
    hub.subscribe(parsed(), 10)
    assert relay.decode("grid.alerts", encode_alert(alert())) == alert()
    assert relay.decode("grid.frequency", encode_frequency(FREQ)) == FREQ
    assert relay.decode("grid.alerts", b"{not json") is None
    assert relay.decode("sensor.readings", b'{"v":1}') is None
    assert (relay.stats.received, relay.stats.malformed) == (5, 2)
    relay.loop.close()


def test_filters_narrow_the_types_and_must_leave_one():
    assert parsed(points="a.b").types == {"reading"}
    assert parsed(asset="x").types == {"reading", "alert"}
    with pytest.raises(FilterError, match="region filters frequency messages; none left"):
        parsed(kind="spike", region="interlake")
