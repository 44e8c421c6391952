"""The topic sensors through Dagster's sensor context, over an in-memory Kafka log."""

import uuid
from datetime import UTC, datetime, timedelta

import dagster as dg

from grid_intel.broker.cursor import TopicCursor
from grid_intel.broker.windows import to_ms
from grid_intel.defs.bronze.sensors import bronze_sensors
from grid_intel.defs.resources import KafkaResource

SENSOR = next(s for s in bronze_sensors if s.name == "grid_frequency_kafka_sensor")
H = (datetime.now(UTC) - timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)


LOGS: dict[str, list[tuple[int, int, int]]] = {}


class MemoryLog(KafkaResource):
    """A topic's log as (partition, offset, timestamp_ms), served like the broker would.

    Dagster copies resources into the context, so the log lives in `LOGS`, keyed by name.
    """

    @property
    def _log(self) -> list[tuple[int, int, int]]:
        return LOGS.setdefault(self.bootstrap_servers, [])

    def append(self, partition: int, ts: datetime) -> None:
        offset = sum(1 for p, _, _ in self._log if p == partition)
        self._log.append((partition, offset, to_ms(ts)))

    def scan(self, topic, start, since, max_records):
        start = start or {}
        out = [r for r in self._log if r[1] >= start.get(r[0], 0)][:max_records]
        nxt = dict(start)
        for p, o, _ in out:
            nxt[p] = o + 1
        return out, nxt

    def time_index(self, topic, ts):
        firsts: dict[int, int | None] = {p: None for p, _, _ in self._log}
        for p, o, t in self._log:
            if t >= to_ms(ts) and firsts[p] is None:
                firsts[p] = o
        return firsts


def new_log() -> MemoryLog:
    return MemoryLog(bootstrap_servers=f"memory-{uuid.uuid4().hex}")


def tick(log: MemoryLog, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(cursor=cursor, resources={"kafka": log})
    return SENSOR(context)


def hour_of_data(log: MemoryLog, hour: datetime, partitions: int = 3) -> None:
    for minute in range(0, 60, 10):
        for p in range(partitions):
            log.append(p, hour + timedelta(minutes=minute))


def test_nothing_due_skips_with_a_reason():
    log = new_log()
    result = tick(log, None)
    assert result.run_requests == []
    assert "no window newly complete" in result.skip_reason.skip_message


def test_complete_hours_are_requested_once_with_offset_ranges_in_config():
    log = new_log()
    hour_of_data(log, H)
    first = tick(log, None)
    (request,) = first.run_requests
    assert request.partition_key == H.strftime("%Y-%m-%d-%H:%M")
    config = request.run_config["ops"]["bronze__grid_frequency"]["config"]
    assert config == {"ranges": [{"partition": p, "start": 0, "stop": 6} for p in range(3)]}
    assert len(request.tags) == 1  # run tags stay small
    again = tick(log, first.cursor)
    assert again.run_requests == [] and again.cursor == first.cursor


def test_consecutive_hours_are_one_range_run_over_all_their_offsets():
    log = new_log()
    for h in (0, 1, 2, 4):  # hour 3 holds nothing: hours 0-2 in one run, hour 4 alone
        hour_of_data(log, H + timedelta(hours=h))
    requests = tick(log, None).run_requests
    key = lambda h: (H + timedelta(hours=h)).strftime("%Y-%m-%d-%H:%M")  # noqa: E731
    ranged, single = requests
    assert ranged.partition_key is None
    assert ranged.tags["dagster/asset_partition_range_start"] == key(0)
    assert ranged.tags["dagster/asset_partition_range_end"] == key(2)
    config = ranged.run_config["ops"]["bronze__grid_frequency"]["config"]
    assert config == {"ranges": [{"partition": p, "start": 0, "stop": 18} for p in range(3)]}
    assert single.partition_key == key(4)
    assert len({r.run_key for r in requests}) == 2


def test_restart_from_a_stored_cursor_requests_only_what_is_new():
    log = new_log()
    hour_of_data(log, H)
    stored = tick(log, None).cursor
    hour_of_data(log, H + timedelta(hours=2))
    resumed = tick(log, stored)
    assert [r.partition_key for r in resumed.run_requests] == [
        (H + timedelta(hours=2)).strftime("%Y-%m-%d-%H:%M")
    ]
    assert TopicCursor.from_json(resumed.cursor).next_offsets == {0: 12, 1: 12, 2: 12}


def test_late_data_re_requests_its_hour_with_a_new_run_key():
    log = new_log()
    hour_of_data(log, H)
    first = tick(log, None)
    log.append(1, H + timedelta(minutes=33))  # arrives after the hour was loaded
    late = tick(log, first.cursor)
    (request,) = late.run_requests
    assert request.partition_key == first.run_requests[0].partition_key
    assert request.run_key != first.run_requests[0].run_key
    assert request.tags["grid_intel/trigger"] == "late-data"
    ranges = request.run_config["ops"]["bronze__grid_frequency"]["config"]["ranges"]
    assert {r["partition"]: (r["start"], r["stop"]) for r in ranges}[1] == (0, 7)
