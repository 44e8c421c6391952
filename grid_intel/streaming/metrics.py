"""The stream processor's Prometheus metrics: what it consumed, dropped and published,
how far behind the broker it is, and how long its loop takes.

Each processor has its own registry (tests and benches run several in one process);
`grid-intel stream` serves it on GRID_INTEL_STREAM_METRICS_PORT.
"""

from __future__ import annotations

from contextlib import suppress

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

DROP_REASONS = ("malformed", "late", "duplicate")
FAILURE_STAGES = ("publish", "run")
LOOP_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StreamMetrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.records = Counter(
            "grid_intel_stream_records",
            "Kafka records consumed, by input topic.",
            ("topic",),
            registry=r,
        )
        self.readings = Counter(
            "grid_intel_stream_readings",
            "Readings consumed (points of SCADA scans, frequency samples), by input topic.",
            ("topic",),
            registry=r,
        )
        self.dropped = Counter(
            "grid_intel_stream_messages_dropped",
            "Messages kept out of the detectors and windows: malformed (undecodable), late "
            "(older than the RTU's newest scan) or duplicate, by topic and reason.",
            ("topic", "reason"),
            registry=r,
        )
        self.alerts = Counter(
            "grid_intel_stream_alerts_published",
            "Alerts produced to grid.alerts, by kind.",
            ("kind",),
            registry=r,
        )
        self.alerts_skipped = Counter(
            "grid_intel_stream_alerts_skipped",
            "Alerts not sent again because grid.alerts already holds them (a replay after "
            "a restart).",
            registry=r,
        )
        self.windows = Counter(
            "grid_intel_stream_windows_written",
            "Closed one-minute windows written to gold.live_aggregates.",
            registry=r,
        )
        self.checkpoints = Counter(
            "grid_intel_stream_checkpoints",
            "Checkpoints: alerts acknowledged, windows and state written, offsets committed.",
            registry=r,
        )
        self.failures = Counter(
            "grid_intel_stream_failures",
            "Failures by stage: publish (an alert the broker did not acknowledge), run (the "
            "processor stopped on an error).",
            ("stage",),
            registry=r,
        )
        self.lag = Gauge(
            "grid_intel_stream_consumer_lag_messages",
            "Records on the broker past the processor's position (end offset - position), "
            "by assigned partition.",
            ("topic", "partition"),
            registry=r,
        )
        self.last_checkpoint = Gauge(
            "grid_intel_stream_last_checkpoint_timestamp_seconds",
            "Unix time of the latest checkpoint (0 before the first).",
            registry=r,
        )
        self.batch_seconds = Histogram(
            "grid_intel_stream_batch_duration_seconds",
            "Time to run one poll's records through the detectors and windows.",
            buckets=LOOP_BUCKETS,
            registry=r,
        )
        self.loop_seconds = Histogram(
            "grid_intel_stream_poll_loop_duration_seconds",
            "One poll-loop iteration: poll (up to 250 ms when idle), process, checkpoint when due.",
            buckets=LOOP_BUCKETS,
            registry=r,
        )
        self.checkpoint_seconds = Histogram(
            "grid_intel_stream_checkpoint_duration_seconds",
            "One checkpoint: producer flush, the database transaction, the offset commit.",
            buckets=LOOP_BUCKETS,
            registry=r,
        )
        for stage in FAILURE_STAGES:  # present at 0, so the first failure is an increase
            self.failures.labels(stage)

    def watch_topic(self, topic: str) -> None:
        """Start a topic's counters at 0 (a counter born at 1 hides its first increase)."""
        self.records.labels(topic)
        self.readings.labels(topic)
        for reason in DROP_REASONS:
            self.dropped.labels(topic, reason)

    def set_lag(self, lags: dict[tuple[str, int], int]) -> None:
        for (topic, partition), lag in lags.items():
            self.lag.labels(topic, str(partition)).set(lag)

    def forget_partition(self, topic: str, partition: int) -> None:
        """A revoked partition's lag is another instance's to report now."""
        with suppress(KeyError):
            self.lag.remove(topic, str(partition))
