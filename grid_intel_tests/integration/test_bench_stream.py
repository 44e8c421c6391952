"""`bench stream` at a tiny size against the real broker and a fresh warehouse: a
complete report with positive figures and timed alerts, and nothing left behind.
Timings are not asserted: a slow machine must not fail the suite."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from grid_intel.bench import bench_stream
from grid_intel.bench.report import COLUMNS, table
from grid_intel.bench.stream import Live, alert_latencies_ms
from grid_intel.broker.codec import Alert
from grid_intel.settings import Settings
from grid_intel_tests.conftest import fresh_warehouse, query_frame


@pytest.fixture(scope="module")
def warehouse(stack: Settings) -> Iterator[Settings]:
    yield from fresh_warehouse(stack, "grid_intel_bench_stream")


def bench_topics(settings: Settings) -> set[str]:
    with settings.kafka_admin() as admin:
        return {t for t in admin.list_topics() if t.startswith("bench.")}


def test_bench_stream_reports_throughput_and_alert_latency(warehouse: Settings) -> None:
    before = bench_topics(warehouse)
    said: list[str] = []
    report = bench_stream(warehouse, 2, [1], said.append)

    assert report["benchmark"] == "stream"
    (run,) = report["runs"]
    assert set(COLUMNS["stream"]) <= set(run)
    assert run["scale"] == 1 and run["readings"] > run["messages"] > 0
    for name in (
        "raw_consumer_readings_per_s",
        "processor_readings_per_s",
        "ratio_vs_raw_consumer",
        "alerts",
        "latency_alerts",
        "latency_p50_ms",
        "latency_p99_ms",
        "broker_p50_ms",
    ):
        assert run[name] > 0, name
    assert run["latency_p99_ms"] >= run["latency_p50_ms"]
    assert run["latency_alerts"] <= run["live_alerts"]
    assert "readings/s" in said[-1]
    assert len(table(report).splitlines()) == 2

    assert bench_topics(warehouse) <= before
    left = query_frame(
        warehouse,
        "select (select count(*) from ops.stream_checkpoints) as checkpoints,"
        " (select count(*) from gold.live_aggregates) as windows",
    )
    assert left.row(0) == (0, 0)


def test_an_alert_is_timed_from_its_rtus_record_or_else_its_instant() -> None:
    def alert(kind: str, point: str, ms: int) -> Alert:
        at = datetime.fromtimestamp(ms / 1000, UTC).isoformat()
        return Alert(
            datetime.now(UTC), kind, "asset", kind, "info", "", {"point": point, "detected_at": at}
        )

    live = Live(
        sent={("rtu_a", 8_000): 10.0, ("rtu_b", 8_000): 10.5},
        instants={8_000: 10.0},
        alerts=[
            (10.75, alert("spike", "t1.oil", 8_000)),  # a point on rtu_b
            (10.5, alert("data_gap", "rtu_c", 8_000)),  # silent: its instant stands in
            (11.0, alert("spike", "t1.oil", 4_000)),  # confirmed before the live phase
        ],
    )
    assert alert_latencies_ms(live, {"t1.oil": "rtu_b"}) == [250.0, 500.0]
