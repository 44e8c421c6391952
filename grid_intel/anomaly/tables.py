"""The anomaly tables (migration 0012) and the SQL that reads what the
detectors are scored against: the stream's alerts, the batch events and the labels."""

from grid_intel.layout import columns
from grid_intel.warehouse.writer import TableSpec

EVENTS = TableSpec(
    "gold",
    "anomaly_events",
    columns(
        "hour timestamptz, asset text, kind text, start_ts timestamptz, end_ts timestamptz,"
        " severity float8, detected_at timestamptz, evidence jsonb"
    ),
    time_column="hour",
)

SCORES = TableSpec(
    "gold",
    "anomaly_scores",
    columns(
        "hour timestamptz, asset text, asset_kind text, peer_group text, detector text,"
        " score float8, rank int4, flagged bool"
    ),
    time_column="hour",
)

EVALUATION = TableSpec(
    "gold",
    "anomaly_evaluation",
    columns(
        "day timestamptz, path text, kind text, faults int4, found int4, events int4,"
        " true_events int4, precision float8, recall float8, f1 float8, median_delay_s float8"
    ),
    time_column="day",
)

STREAM_ALERTS = """
select asset, kind, ts, (detail->>'detected_at')::timestamptz, detail->>'point'
from bronze.grid_alerts where ts >= %s and ts < %s
"""

BATCH_EVENTS = """
select asset, kind, start_ts, end_ts, severity, detected_at, evidence->>'point'
from gold.anomaly_events where hour >= %s and hour < %s
"""

FIRST_READING = "select min(ts) from bronze.sensor_readings where ts >= %s and ts < %s"

LABELS = """
select distinct kind, asset, start_ts, end_ts from ops.fault_labels
where start_ts < %(end)s and end_ts > %(start)s
"""
