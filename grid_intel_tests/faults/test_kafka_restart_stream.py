"""Kafka broker restarted while the stream processor runs: it rides the outage out and
publishes exactly the alerts of an uninterrupted run, every one and each once.

The processor (`grid-intel stream`, a real process) reads 90 simulated minutes with
sensor and stream faults; once it has published its first alerts the private broker
is stopped and started again. Its consumer and its idempotent producer reconnect; the
offset commit that fails while the broker is away is only logged, because the
warehouse checkpoint holds the position.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from grid_intel.broker.client import partitions
from grid_intel.broker.topics import GRID_ALERTS
from grid_intel.settings import Settings
from grid_intel.streaming.processor import read_alerts
from grid_intel_tests.conftest import fresh_warehouse
from grid_intel_tests.faults.conftest import restart_kafka
from grid_intel_tests.integration.test_stream_processor import (
    alert_count,
    checkpoint_offsets,
    publish_input,
    reference_run,
    stream_cmd,
    topics,
    wait_for_alerts,
)


@pytest.fixture(scope="module")
def warehouse(private_stack: Settings) -> Iterator[Settings]:
    yield from fresh_warehouse(private_stack, "grid_intel_stream_fault")


def end_offsets(settings: Settings, names: list[str]) -> int:
    with settings.kafka_consumer() as c:
        tps = [tp for name in names for tp in partitions(c, name)]
        return sum(c.end_offsets(tps).values())


def test_broker_restarted_mid_stream_loses_and_doubles_no_alert(warehouse: Settings):
    stream_input = publish_input(warehouse)
    tag, readings, frequency, *_ = stream_input
    by_id, _, _ = reference_run(warehouse, stream_input)
    assert len(by_id) > 20
    (alerts,) = topics(warehouse, f"{tag}.restart", GRID_ALERTS)
    group = f"restart-{tag}"

    proc = stream_cmd(warehouse, stream_input, group, alerts, "--idle-exit", "20")
    try:
        wait_for_alerts(warehouse, proc, alerts, 300)
        before = alert_count(warehouse, alerts)
        restart_kafka(warehouse)
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = out.decode()
    assert proc.returncode == 0, log[-3000:]
    assert before < len(by_id), "the restart came after the processor had finished"

    published = read_alerts(warehouse.kafka_bootstrap, warehouse.kafka_security, alerts)
    ids = [a.alert_id for _, a in published]
    doubled = [i for i, n in Counter(ids).items() if n > 1]
    assert not doubled, f"{len(doubled)} alerts published twice"
    assert set(ids) == set(by_id), (
        f"{len(set(by_id) - set(ids))} alerts missing, {len(set(ids) - set(by_id))} extra"
    )
    # Every input record was consumed: the checkpoints reached the topics' ends.
    parts, reached = checkpoint_offsets(warehouse, group)
    assert parts == 9 and reached == end_offsets(warehouse, [readings, frequency])
