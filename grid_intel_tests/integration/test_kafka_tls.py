"""The local broker's TLS listener, through real handshakes: what a TLS client writes a
plaintext client reads, and a client with the wrong protocol or trust is refused with
the setting to change."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest

from grid_intel.broker.client import KafkaUnavailable, admin_client, consumer, producer
from grid_intel.broker.security import KafkaSecurity
from grid_intel.settings import Settings
from grid_intel.stack.dagster import dagster_env
from grid_intel.warehouse.connection import connect
from grid_intel_tests.e2e.devserver import dagster_settings
from grid_intel_tests.hours import hour_ago
from grid_intel_tests.integration.test_tracer import READINGS, publish_hour


@pytest.fixture
def tls(stack: Settings) -> tuple[str, KafkaSecurity]:
    return f"127.0.0.1:{stack.kafka_tls_port}", KafkaSecurity("SSL", stack.local_kafka_ca)


@pytest.fixture
def topic(stack: Settings):
    name = f"test.tls.{uuid.uuid4().hex[:8]}"
    with stack.kafka_admin() as admin:
        admin.create_topics(
            {name: {"num_partitions": 2, "replication_factor": 1}}, wait_for_metadata=True
        )
    yield name
    with stack.kafka_admin() as admin:
        admin.delete_topics([name])


def read_all(bootstrap: str, topic: str, expected: int, **kw) -> list[bytes]:
    from kafka import TopicPartition

    with consumer(bootstrap, **kw) as c:
        parts = [TopicPartition(topic, p) for p in (0, 1)]
        c.assign(parts)
        c.seek_to_beginning(*parts)
        got: list[bytes] = []
        for _ in range(20):
            for records in c.poll(timeout_ms=500).values():
                got += [r.value for r in records]
            if len(got) >= expected:
                break
        return sorted(got)


def test_what_tls_clients_write_plaintext_clients_read_and_back(stack, tls, topic):
    bootstrap, security = tls
    over_tls = [f"tls-{i}".encode() for i in range(50)]
    with producer(bootstrap, security=security) as p:
        for i, value in enumerate(over_tls):
            p.send(topic, key=str(i).encode(), value=value)
    over_plain = [b"plain-1", b"plain-2"]
    with producer(stack.kafka_bootstrap, security=KafkaSecurity()) as p:
        for value in over_plain:
            p.send(topic, value=value)
    want = sorted(over_tls + over_plain)
    assert read_all(stack.kafka_bootstrap, topic, len(want), security=KafkaSecurity()) == want
    assert read_all(bootstrap, topic, len(want), security=security) == want
    # The certificate names localhost as well as 127.0.0.1, and the name is checked.
    localhost = f"localhost:{stack.kafka_tls_port}"
    assert read_all(localhost, topic, len(want), security=security) == want


def test_a_tls_client_that_does_not_trust_the_broker_is_refused(tls):
    bootstrap, _ = tls
    with (
        pytest.raises(KafkaUnavailable, match="system's trust store") as err,
        admin_client(bootstrap, 3, security=KafkaSecurity("SSL")),
    ):
        pass
    assert bootstrap in str(err.value)


def test_a_plaintext_client_on_the_tls_listener_is_told_to_switch(tls):
    bootstrap, _ = tls
    with (
        pytest.raises(KafkaUnavailable, match="GRID_INTEL_KAFKA_SECURITY_PROTOCOL=SSL"),
        admin_client(bootstrap, 3, security=KafkaSecurity()),
    ):
        pass


def test_the_whole_cli_switches_to_tls_with_one_setting(stack):
    """`GRID_INTEL_KAFKA_SECURITY_PROTOCOL=SSL` alone: the local listener and its CA."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRID_INTEL_KAFKA_")}
    env |= {
        "GRID_INTEL_STATE_DIR": str(stack.state_dir),
        "GRID_INTEL_KAFKA_PORT": str(stack.kafka_port),
        "GRID_INTEL_KAFKA_TLS_PORT": str(stack.kafka_tls_port),
        "GRID_INTEL_KAFKA_SECURITY_PROTOCOL": "SSL",
    }
    out = subprocess.run(
        [sys.executable, "-m", "grid_intel", "stack", "status"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    kafka = next(line for line in out.stdout.splitlines() if line.startswith("kafka"))
    assert f"127.0.0.1:{stack.kafka_tls_port}" in kafka
    assert "healthy" in kafka and "4 topics as specified" in kafka, out.stdout + out.stderr


def test_a_dagster_run_process_loads_its_hour_over_tls(test_db: Settings, tmp_path):
    """The deployments' TLS path without a deployment: a run in a process of its own,
    configured only by `dagster_env` (as the webserver, daemon and run workers are),
    reads a bronze hour through the TLS listener, trusting the broker's CA."""
    tls = test_db.model_copy(
        update={
            "kafka_security_protocol": "SSL",
            "kafka_bootstrap_servers": f"127.0.0.1:{test_db.kafka_tls_port}",
            "kafka_ssl_cafile": test_db.local_kafka_ca,
        }
    )
    hour, region = hour_ago(7), f"tls-{uuid.uuid4().hex[:8]}"
    publish_hour(test_db, hour, region)  # written over plaintext, read over TLS
    with dagster_settings(tls, tmp_path) as settings:  # its own state folder, as e2e's
        env = dagster_env(settings)
        assert env["GRID_INTEL_KAFKA_SECURITY_PROTOCOL"] == "SSL"
        assert env["GRID_INTEL_KAFKA_SSL_CAFILE"] == str(test_db.local_kafka_ca)
        cmd = [sys.executable, "-m", "dagster", "asset", "materialize"]
        cmd += ["-m", "grid_intel.definitions", "--select", "bronze/grid_frequency"]
        out = subprocess.run(
            [*cmd, "--partition", hour.strftime("%Y-%m-%d-%H:%M")],
            capture_output=True,
            text=True,
            timeout=240,
            env=env,
        )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    with connect(test_db.warehouse) as conn:
        (n,) = conn.execute(
            "select count(*) from bronze.grid_frequency where region = %s and ts >= %s and ts < %s",
            (region, hour, hour + timedelta(hours=1)),
        ).fetchone()
    assert n == READINGS + 1  # every message once, the producer's retry included
