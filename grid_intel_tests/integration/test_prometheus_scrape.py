"""Debian's Prometheus scrapes the API, a stream processor and the ingestion exporter,
each running against the real stack, and loads the platform's alert rules.

The processor reads topics of this test's own, so the number of records Prometheus
sees it consume is exactly the number published; the exporter reads a load recorded
in this module's database.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from kafka import TopicPartition

from grid_intel.broker.client import ensure_topics
from grid_intel.broker.topics import GRID_ALERTS, GRID_FREQUENCY, SENSOR_READINGS
from grid_intel.broker.windows import Window
from grid_intel.ingestion.load import LoadReport
from grid_intel.ingestion.runs import LoadRecord, record
from grid_intel.settings import Settings, project_root
from grid_intel.simulation.feeds import Feeds
from grid_intel.stack.proc import free_port
from grid_intel.warehouse.connection import connect
from grid_intel_tests.api_server import serving
from grid_intel_tests.conftest import fresh_warehouse, unavailable

RULES = project_root() / "infra" / "observability" / "rules" / "grid_intel.rules.yml"
JOBS = ("grid_intel_api", "grid_intel_stream", "grid_intel_exporter")


@pytest.fixture(scope="module")
def warehouse(stack: Settings) -> Iterator[Settings]:
    yield from fresh_warehouse(stack, "grid_intel_scrape")


def publish(settings: Settings) -> tuple[list[str], int]:
    """Three simulated minutes and one malformed scan on new topics; (topics, records)."""
    tag = uuid.uuid4().hex[:8]
    specs = [
        replace(s, name=f"{s.name}.scrape.{tag}")
        for s in (SENSOR_READINGS, GRID_FREQUENCY, GRID_ALERTS)
    ]
    with settings.kafka_admin() as admin:
        ensure_topics(admin, specs)
    rename = {SENSOR_READINGS.name: specs[0].name, GRID_FREQUENCY.name: specs[1].name}
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    sent = 0
    with settings.kafka_producer(bulk=True) as p:
        for m in Feeds(23).messages(start, start + timedelta(minutes=3)):
            if m.topic in rename:
                p.send(rename[m.topic], key=m.key, value=m.value, timestamp_ms=m.timestamp_ms)
                sent += 1
        p.send(specs[0].name, key=b"rtu_x", value=b"{broken", timestamp_ms=m.timestamp_ms)
    return [s.name for s in specs], sent + 1


def spawn(settings: Settings, log: Path, *args: str, **env: str) -> subprocess.Popen:
    base = settings.kafka_env() | {
        "GRID_INTEL_WAREHOUSE_URL": settings.warehouse,
        "GRID_INTEL_METRICS_HOST": "127.0.0.1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "grid_intel", *args],
        env=os.environ | base | env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def prometheus_config(path: Path, targets: dict[str, str]) -> Path:
    jobs = "".join(
        f"  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
        for job, target in targets.items()
    )
    path.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {RULES}\nscrape_configs:\n{jobs}"
    )
    return path


def wait_for(what: str, check: Callable[[], object], timeout: float, logs: list[Path]) -> object:
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = check()
            if got:
                return got
        except (httpx.HTTPError, KeyError, IndexError, ValueError):
            got = None
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in logs if p.exists())
            raise AssertionError(f"{what} not seen in {timeout:.0f} s (last: {got!r})\n{tails}")
        time.sleep(0.5)


def test_prometheus_scrapes_every_service(warehouse: Settings, tmp_path: Path):
    binary = shutil.which("prometheus")
    if binary is None:
        unavailable("Debian's `prometheus` is not installed (infra/dev.sh installs it)")
    topics, published = publish(warehouse)
    window_start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    report = LoadReport([], 1200, 9600, 0, 3, 0, 0, 2.5, {0: 41})
    with connect(warehouse.warehouse) as conn:
        record(
            conn,
            LoadRecord.ok(
                "bronze/sensor_readings",
                "sensor.readings",
                window_start.strftime("%Y-%m-%d-%H:%M"),
                Window(window_start, window_start + timedelta(hours=1)),
                report,
                2.5,
            ),
        )

    def end_offset() -> int:
        with warehouse.kafka_consumer() as c:
            tp = TopicPartition("sensor.readings", 0)
            return c.end_offsets([tp])[tp]

    end_before = end_offset()
    stream_port, exporter_port, prom_port = free_port(), free_port(), free_port()
    logs = [tmp_path / "stream.log", tmp_path / "exporter.log", tmp_path / "prometheus.log"]
    procs: list[subprocess.Popen] = []
    try:
        procs.append(
            spawn(
                warehouse,
                logs[0],
                "stream",
                "--group",
                f"scrape-{uuid.uuid4().hex[:8]}",
                "--topics",
                ",".join(topics),
                GRID_INTEL_STREAM_METRICS_PORT=str(stream_port),
            )
        )
        procs.append(
            spawn(warehouse, logs[1], "exporter", GRID_INTEL_EXPORTER_PORT=str(exporter_port))
        )
        with serving(warehouse) as api:
            for path in ("/healthz", "/healthz", "/readyz", "/api/v1/no-such-route"):
                httpx.get(api + path, timeout=10)
            config = prometheus_config(
                tmp_path / "prometheus.yml",
                {
                    "grid_intel_api": api.removeprefix("http://"),
                    "grid_intel_stream": f"127.0.0.1:{stream_port}",
                    "grid_intel_exporter": f"127.0.0.1:{exporter_port}",
                },
            )
            procs.append(
                subprocess.Popen(
                    [
                        binary,
                        f"--config.file={config}",
                        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                        f"--web.listen-address=127.0.0.1:{prom_port}",
                    ],
                    stdout=logs[2].open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
            prom = f"http://127.0.0.1:{prom_port}/api/v1"

            def health() -> dict[str, str]:
                targets = httpx.get(f"{prom}/targets", timeout=5).json()["data"]["activeTargets"]
                return {t["labels"]["job"]: t["health"] for t in targets}

            def up() -> dict[str, str] | None:
                got = health()
                return got if all(got.get(job) == "up" for job in JOBS) else None

            def value(query: str) -> float:
                result = httpx.get(f"{prom}/query", params={"query": query}, timeout=5).json()
                return float(result["data"]["result"][0]["value"][1])

            wait_for("every target up", up, 40, logs)
            # Each service's own series, as scraped: the exact records published, the
            # API's requests by route template, the load recorded in the warehouse.
            wait_for(
                f"{published} records consumed",
                lambda: value("sum(grid_intel_stream_records_total)") == published,
                40,
                logs,
            )
            malformed = 'grid_intel_stream_messages_dropped_total{reason="malformed"}'
            assert value(f"sum({malformed})") == 1
            assert value("sum(grid_intel_stream_readings_total)") > published
            wait_for(
                "lag back to 0",
                lambda: value("sum(grid_intel_stream_consumer_lag_messages)") == 0,
                20,
                logs,
            )
            healthz = 'sum(grid_intel_api_requests_total{route="/healthz", status="200"})'
            assert value(healthz) == 2
            assert value('sum(grid_intel_api_requests_total{route="unmatched", status="404"})') == 1
            rows = 'grid_intel_ingestion_rows_loaded_total{topic="sensor.readings"}'
            assert value(rows) == 9600
            assert (
                value('grid_intel_ingestion_loads_total{topic="market.prices",status="failed"}')
                == 0
            )
            assert value("min(grid_intel_exporter_source_up)") == 1
            lag = 'grid_intel_ingestion_kafka_lag_messages{topic="sensor.readings",partition="0"}'
            # Past offset 41, in bronze; never negative (on a fresh broker the topic may
            # hold fewer than 42 records).
            assert max(end_before - 42, 0) <= value(lag) <= max(end_offset() - 42, 0)

            # The real rules load and evaluate without error against these series.
            groups = httpx.get(f"{prom}/rules", timeout=5).json()["data"]["groups"]
            rules = [r for g in groups for r in g["rules"]]
            assert len(rules) == 10
            wait_for(
                "every rule evaluated",
                lambda: all(
                    r["health"] == "ok"
                    for g in httpx.get(f"{prom}/rules", timeout=5).json()["data"]["groups"]
                    for r in g["rules"]
                ),
                10,
                logs,
            )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert procs[0].returncode == 0, logs[0].read_text()[-2000:]  # the processor stopped cleanly


def test_the_exporter_runs_as_a_stack_service_and_stops(warehouse: Settings, tmp_path: Path):
    """`stack up --exporter`'s service: healthy once /metrics answers, stopped by down."""
    from grid_intel.stack.exporter import IngestionExporter

    settings = warehouse.with_state_dir(tmp_path, exporter_port=free_port())
    exporter = IngestionExporter(settings)
    try:
        status = exporter.start(lambda m: None)
        assert (
            status.healthy
            and status.endpoint == f"http://127.0.0.1:{settings.exporter_port}/metrics"
        )
        text = httpx.get(status.endpoint, timeout=10).text
        assert 'grid_intel_exporter_source_up{source="warehouse"} 1.0' in text
        assert 'grid_intel_ingestion_loads_total{status="ok",topic="sensor.readings"}' in text
    finally:
        assert exporter.stop(purge=False, progress=lambda m: None) == "stopped"
    assert not exporter.status().healthy
