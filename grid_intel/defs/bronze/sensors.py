"""One sensor per topic: scan new Kafka records, request the complete hourly windows.

The sensor only decides: it reads record timestamps past its cursor (bounded per
tick), folds them in with `completeness.advance`, and requests the due windows, one
run per run of consecutive hours (a range run: one start-up for a backlog), with the
offset ranges to read in run config and a deterministic run key. It commits
nothing to Kafka; the bronze asset does, after its database commit.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from grid_intel.broker.completeness import (
    Advance,
    Policy,
    advance,
    consecutive,
    merged,
    range_run_key,
    read_ranges,
)
from grid_intel.broker.cursor import TopicCursor
from grid_intel.defs.bronze.assets import BRONZE_ASSETS, op_name
from grid_intel.defs.partitions import HOURLY_BACKFILL, hourly, range_tags
from grid_intel.defs.resources import KafkaResource
from grid_intel.ingestion.tables import BRONZE_TOPICS, BronzeTopic
from grid_intel.settings import get_settings

MAX_RECORDS_PER_TICK = 250_000
POLICY = Policy(first_window=hourly.start)


def requests_for(
    bronze: BronzeTopic, step: Advance, time_index: dict[str, dict[int, int | None]]
) -> list[dg.RunRequest]:
    """One run per run of consecutive due hours (a range run, at most a backfill run's
    hours); `time_index` holds each window start's offsets."""
    out = []
    for hours in consecutive(step.due, HOURLY_BACKFILL.max_partitions_per_run or 24):
        ranges = merged(
            r
            for due in hours
            for r in read_ranges(due.span, time_index[due.key], step.cursor.next_offsets)
        )
        config = {
            "ranges": [{"partition": r.partition, "start": r.start, "stop": r.stop} for r in ranges]
        }
        first, last = hours[0].key, hours[-1].key
        trigger = "late-data" if any(d.late for d in hours) else "window-complete"
        out.append(
            dg.RunRequest(
                run_key=range_run_key(bronze.topic.name, hours),
                partition_key=first if first == last else None,
                run_config={"ops": {op_name(bronze): {"config": config}}},
                tags={"grid_intel/trigger": trigger}
                | ({} if first == last else range_tags(first, last)),
            )
        )
    return out


def skip_message(bronze: BronzeTopic, step: Advance) -> str:
    wm = step.cursor.watermark_ms
    mark = datetime.fromtimestamp(wm / 1000, UTC).isoformat() if wm is not None else "none yet"
    waiting = ", ".join(step.waiting[-3:]) or "none"
    return (
        f"{bronze.topic.name}: scanned {step.scanned} new records (to offsets "
        f"{step.cursor.next_offsets}); watermark {mark}; no window newly complete "
        f"(waiting: {waiting}; a window is due {POLICY.grace} after its end is seen)"
    )


def sensor_name(bronze: BronzeTopic) -> str:
    return f"{bronze.asset_name}_kafka_sensor"


def build_sensor(bronze: BronzeTopic) -> dg.SensorDefinition:
    topic = bronze.topic.name

    @dg.sensor(
        name=sensor_name(bronze),
        target=BRONZE_ASSETS[topic],
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Requests bronze/{bronze.asset_name} for the complete hours of `{topic}` "
        "(consecutive hours in one run), again when late data arrives for an hour already "
        "loaded.",
    )
    def _sensor(context: dg.SensorEvaluationContext, kafka: KafkaResource) -> dg.SensorResult:
        cursor = TopicCursor.from_json(context.cursor)
        now = datetime.now(UTC)
        lookback = timedelta(hours=get_settings().sensor_lookback_hours)
        records, scanned_to = kafka.scan(
            topic, cursor.next_offsets or None, now - lookback, MAX_RECORDS_PER_TICK
        )
        step = advance(cursor, records, scanned_to, now, POLICY)
        index = {d.key: kafka.time_index(topic, d.window.start) for d in step.due}
        requests = requests_for(bronze, step, index)
        if step.future:
            context.log.warning(
                f"{topic}: {step.future} records stamped more than {POLICY.clock_skew} ahead "
                "of the clock; a producer's clock is wrong"
            )
        if step.too_old:
            context.log.warning(
                f"{topic}: {step.too_old} records older than {hourly.start} ignored"
            )
        return dg.SensorResult(
            run_requests=requests,
            cursor=step.cursor.to_json(),
            skip_reason=None if requests else dg.SkipReason(skip_message(bronze, step)),
        )

    return _sensor


bronze_sensors = [build_sensor(b) for b in BRONZE_TOPICS]
BRONZE_SENSORS = dict(zip((b.topic.name for b in BRONZE_TOPICS), bronze_sensors, strict=True))

defs = dg.Definitions(sensors=bronze_sensors)
