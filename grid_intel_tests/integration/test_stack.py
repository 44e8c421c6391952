"""`stack up | status | down` against the real services, and fail-fast errors."""

import socket
import subprocess
import sys
import time

import pytest

from grid_intel.broker.client import KafkaUnavailable, admin_client, describe_topics
from grid_intel.broker.security import KafkaSecurity
from grid_intel.broker.topics import TOPICS
from grid_intel.settings import Settings
from grid_intel.stack import manager
from grid_intel.stack.errors import PortInUse
from grid_intel.stack.kafka import KafkaBroker
from grid_intel.stack.postgres import EmbeddedPostgres
from grid_intel.warehouse.connection import WarehouseUnavailable, connect


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_up_twice_is_harmless_and_reports_healthy(stack: Settings):
    said: list[str] = []
    statuses, reports = manager.up(stack, manager.Selection(), said.append)
    assert [s.name for s in statuses] == ["postgres", "kafka"]
    assert all(s.healthy for s in statuses)
    assert not any("starting" in m or "created topic" in m for m in said), said
    assert reports[0].applied == [] and reports[0].lane == "postgres"


def test_topics_have_exactly_the_seed_partitions_and_retention(stack: Settings):
    with stack.kafka_admin() as admin:
        states = {s.name: s for s in describe_topics(admin, TOPICS)}
    for spec in TOPICS:
        assert states[spec.name].partitions == spec.partitions
        assert states[spec.name].retention_ms == spec.retention_ms


def test_status_command_reports_each_service(stack: Settings):
    out = subprocess.run(
        [sys.executable, "-m", "grid_intel", "stack", "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines()}
    assert "healthy" in lines["postgres"] and "PostgreSQL 18" in lines["postgres"]
    assert "healthy" in lines["kafka"] and "4 topics as specified" in lines["kafka"]
    assert "down" in lines["dagster"] or "healthy" in lines["dagster"]


def test_unreachable_kafka_fails_within_seconds():
    t0 = time.monotonic()
    with (
        pytest.raises(KafkaUnavailable, match="grid-intel stack up"),
        admin_client(f"127.0.0.1:{closed_port()}", timeout_s=2, security=KafkaSecurity()),
    ):
        pass
    assert time.monotonic() - t0 < 20


def test_unreachable_postgres_fails_within_seconds():
    t0 = time.monotonic()
    with (
        pytest.raises(WarehouseUnavailable, match="GRID_INTEL_WAREHOUSE_URL"),
        connect(f"postgresql://postgres@127.0.0.1:{closed_port()}/x", timeout_s=2),
    ):
        pass
    assert time.monotonic() - t0 < 20


def test_port_in_use_is_reported_not_hung(tmp_path):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        settings = Settings(
            _env_file=None, state_dir=tmp_path, kafka_port=port, kafka_controller_port=closed_port()
        )
        with pytest.raises(PortInUse, match="GRID_INTEL_KAFKA_PORT"):
            KafkaBroker(settings).start(lambda m: None)
        with pytest.raises(PortInUse, match="GRID_INTEL_PG_PORT"):
            EmbeddedPostgres(settings.model_copy(update={"pg_port": port})).start(lambda m: None)
    finally:
        holder.close()


def test_status_of_a_stack_that_is_not_running(tmp_path):
    settings = Settings(
        _env_file=None,
        state_dir=tmp_path,
        pg_port=closed_port(),
        kafka_port=closed_port(),
        timescale_port=closed_port(),
        dagster_port=closed_port(),
        connect_timeout_s=2,
    )
    statuses = {s.name: s for s in manager.status(settings)}
    assert not any(s.healthy for s in statuses.values())
    assert "refused" in statuses["postgres"].detail.lower()
    assert statuses["kafka"].detail == "nothing listens"
    assert not any(s.managed for s in statuses.values())
    # Nothing was started, so down stops nothing.
    assert set(manager.down(settings, False, lambda m: None).values()) <= {"not running"}


def test_down_keeps_data_and_purge_removes_it(tmp_path):
    """A second, isolated stack: up, write, down, up again (data kept), down --purge."""
    settings = Settings(
        _env_file=None,
        state_dir=tmp_path,
        pg_port=closed_port(),
        kafka_port=closed_port(),
        kafka_controller_port=closed_port(),
        kafka_tls_port=closed_port(),
        timescale_port=closed_port(),  # the session's own lane may be up on the default
        dagster_port=closed_port(),
        kafka_heap="256m",
    )
    said: list[str] = []
    try:
        manager.up(settings, manager.Selection(), said.append)
        assert any("created topic grid.frequency" in m for m in said)
        with connect(settings.warehouse) as conn:
            conn.execute("create table ops.kept (x int)")
            conn.commit()
        stopped = manager.down(settings, False, said.append)
        assert stopped["postgres"] == "stopped" and stopped["kafka"] == "stopped"
        assert not any(s.healthy for s in manager.status(settings))

        said.clear()
        manager.up(settings, manager.Selection(), said.append)
        assert not any("created topic" in m or "initialising" in m for m in said), said
        with connect(settings.warehouse) as conn:
            assert conn.execute("select to_regclass('ops.kept')").fetchone()[0] == "ops.kept"
    finally:
        purged = manager.down(settings, True, said.append)
    assert "data purged" in purged["postgres"] and "data purged" in purged["kafka"]
    assert not (tmp_path / "postgres").exists() and not (tmp_path / "kafka" / "data").exists()


def test_the_api_runs_as_a_stack_service_and_stops(test_db: Settings, tmp_path):
    """`stack up --api`'s service: started in the background, healthy once /readyz
    answers as the API role, stopped by down."""
    import httpx

    from grid_intel.stack.api import ApiServer
    from grid_intel.stack.proc import free_port

    settings = test_db.with_state_dir(tmp_path, api_port=free_port())
    api = ApiServer(settings)
    try:
        status = api.start(lambda m: None)
        assert status.healthy and status.endpoint == f"http://127.0.0.1:{settings.api_port}"
        assert httpx.get(f"{status.endpoint}/readyz").json() == {"status": "ready"}
    finally:
        assert api.stop(purge=False, progress=lambda m: None) == "stopped"
    assert not api.status().healthy
