import socket
import sys

import pytest

from grid_intel.stack.errors import PortInUse, StackError
from grid_intel.stack.proc import ensure_port_free, port_open, spawn, wait_until


@pytest.fixture
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


def test_port_in_use_names_holder_and_setting(listener):
    assert port_open("127.0.0.1", listener)
    with pytest.raises(PortInUse, match=rf"port {listener} .* GRID_INTEL_PG_PORT=<port>"):
        ensure_port_free("postgres", listener, "GRID_INTEL_PG_PORT")


def test_free_port_passes(listener):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    ensure_port_free("kafka", port, "GRID_INTEL_KAFKA_PORT")


def test_wait_until_fails_fast_when_the_process_dies(tmp_path):
    log = tmp_path / "svc.log"
    proc = spawn([sys.executable, "-c", "print('cannot bind'); raise SystemExit(3)"], log)
    with pytest.raises(StackError, match=r"exited with code 3(.|\n)*cannot bind"):
        wait_until(lambda: False, timeout=60, what="svc", log_path=log, proc=proc)


def test_wait_until_times_out_with_log_tail(tmp_path):
    log = tmp_path / "svc.log"
    log.write_text("still warming up\n")
    with pytest.raises(StackError, match=r"did not become ready(.|\n)*still warming up"):
        wait_until(lambda: False, timeout=0.3, what="svc", log_path=log)


def test_kafka_cluster_ids_never_look_like_options(monkeypatch):
    import uuid

    from grid_intel.stack import kafka

    # 0xfb… encodes to "-…" in URL-safe base64: it must be skipped.
    ids = iter([uuid.UUID(bytes=b"\xfb" + b"\x00" * 15), uuid.UUID(int=1)])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(ids))
    cid = kafka._cluster_id()
    assert not cid.startswith("-") and len(cid) == 22


def test_dagster_storage_urls_use_psycopg2():
    from grid_intel.stack.dagster import psycopg2_url

    assert psycopg2_url("postgresql://u@h:1/d") == "postgresql+psycopg2://u@h:1/d"
    assert psycopg2_url("postgres://u@h:1/d") == "postgresql+psycopg2://u@h:1/d"
    assert psycopg2_url("postgresql+psycopg2://u@h/d") == "postgresql+psycopg2://u@h/d"
