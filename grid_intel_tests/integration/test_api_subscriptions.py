"""Alert subscriptions on the real API, warehouse and broker: keys, the endpoints, and
webhook deliveries of alerts produced to grid.alerts to a local HTTP receiver."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from kafka import TopicPartition

from grid_intel.alerts import webhooks as wh
from grid_intel.alerts.delivery import group_for
from grid_intel.api.auth import create_key, revoke_key
from grid_intel.broker.codec import Alert, encode_alert
from grid_intel.broker.topics import GRID_ALERTS
from grid_intel.settings import Settings
from grid_intel.warehouse.connection import connect
from grid_intel_tests.api_server import serving

RUN = uuid.uuid4().hex[:8]  # assets unique to this run: the topic is shared


class Receiver:
    """A webhook endpoint on loopback that answers with queued statuses (then 200)."""

    def __init__(self) -> None:
        self.requests: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()
        self.statuses: queue.Queue[int] = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.put((dict(self.headers), body))
                status = 200 if receiver.statuses.empty() else receiver.statuses.get()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout_s: float = 30.0) -> tuple[dict[str, str], bytes]:
        return self.requests.get(timeout=timeout_s)


@pytest.fixture(scope="module")
def api(test_db: Settings) -> Iterator[str]:
    with serving(test_db) as base:
        yield base


@pytest.fixture(scope="module")
def key(test_db: Settings) -> str:
    with connect(test_db.warehouse) as conn:
        return create_key(conn, f"tests {RUN}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _subscribe(api: str, key: str, **body: object) -> httpx.Response:
    return httpx.post(f"{api}/api/v1/alerts/subscribe", json=body, headers={"X-API-Key": key})


def test_keys_are_required_and_checked(api: str, key: str, test_db: Settings):
    url = f"{api}/api/v1/alerts/subscriptions"
    missing = httpx.get(url)
    assert missing.status_code == 401 and "X-API-Key" in missing.json()["error"]
    for wrong in ("nonsense", "gi_000000000000_wrong", key[:-2] + "xx"):
        refused = httpx.get(url, headers={"X-API-Key": wrong})
        assert refused.status_code == 403 and "unknown or revoked" in refused.json()["error"]
    assert httpx.get(url, headers={"X-API-Key": key}).status_code == 200

    with connect(test_db.warehouse) as conn:
        other = create_key(conn, "revoked soon")
        assert httpx.get(url, headers={"X-API-Key": other}).status_code == 200
        assert revoke_key(conn, other)
        stored = conn.execute("select key_hash from ops.api_keys where name = 'revoked soon'")
        assert other not in stored.fetchone()[0]  # only the hash is kept
    assert httpx.get(url, headers={"X-API-Key": other}).status_code == 403


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://127.0.0.1/hook", "scheme"),
        ("http://user:pw@127.0.0.1/hook", "credentials"),
        ("http://evil.example.com/hook", "not allowed"),
        ("http://127.0.0.1/" + "a" * 3000, "at most 2048"),
    ],
)
def test_urls_the_platform_will_not_call_are_422_with_the_reason(
    api: str, key: str, url: str, reason: str
):
    r = _subscribe(api, key, url=url)
    assert r.status_code == 422
    assert r.json()["detail"][0]["where"] == "body.url"
    assert reason in r.json()["detail"][0]["problem"]


def test_subscribe_list_and_delete(api: str, key: str, test_db: Settings):
    headers = {"X-API-Key": key}
    r = _subscribe(api, key, url="http://localhost:9/x", asset=f"T-{RUN}", min_severity="warning")
    assert r.status_code == 201
    created = r.json()
    assert created["filters"] == {"asset": f"T-{RUN}", "kind": None, "min_severity": "warning"}
    assert len(created["secret"]) >= 32
    listed = httpx.get(f"{api}/api/v1/alerts/subscriptions", headers=headers).json()
    assert created["id"] in [s["id"] for s in listed]
    assert all("secret" not in s for s in listed)

    with connect(test_db.warehouse) as conn:
        stranger = create_key(conn, "someone else")
    assert (
        httpx.get(f"{api}/api/v1/alerts/subscriptions", headers={"X-API-Key": stranger}).json()
        == []
    ), "a key sees only its own subscriptions"
    gone = f"{api}/api/v1/alerts/subscriptions/{created['id']}"
    assert httpx.delete(gone, headers={"X-API-Key": stranger}).status_code == 404
    assert httpx.delete(gone, headers=headers).status_code == 204
    assert httpx.delete(gone, headers=headers).status_code == 404
    listed = httpx.get(f"{api}/api/v1/alerts/subscriptions", headers=headers).json()
    assert created["id"] not in [s["id"] for s in listed]
    assert _subscribe(api, key, url="http://localhost/x", min_severity="loud").status_code == 422


def _wait_for_worker(settings: Settings, timeout_s: float = 60.0) -> None:
    """The worker has a committed position on grid.alerts: what is produced from now on
    will be read."""
    tp = TopicPartition(GRID_ALERTS.name, 0)
    group = group_for(settings)
    deadline = time.monotonic() + timeout_s
    with settings.kafka_admin() as admin:
        while time.monotonic() < deadline:
            offsets = admin.list_group_offsets({group: [tp]}).get(group, {})
            if tp in offsets and offsets[tp].offset >= 0:
                return
            time.sleep(0.3)
    raise AssertionError(f"the delivery worker ({group}) did not start in {timeout_s:.0f} s")


def _produce(settings: Settings, *alerts: Alert) -> None:
    with settings.kafka_producer() as p:
        for a in alerts:
            p.send(
                GRID_ALERTS.name,
                key=a.asset.encode(),
                value=encode_alert(a),
                timestamp_ms=int(a.ts.timestamp() * 1000),
            )


def _alert(asset: str, severity: str = "critical") -> Alert:
    return Alert(
        datetime.now(UTC),
        f"test-{uuid.uuid4().hex}",
        asset,
        "overheating",
        severity,
        f"{asset} is hot",
        {"top_oil_c": 104.2},
    )


def _attempts(settings: Settings, alert_id: str) -> list[tuple]:
    with connect(settings.warehouse) as conn:
        return conn.execute(
            "select attempt, state, status_code, next_attempt_at is not null"
            " from ops.webhook_deliveries where alert_id = %s order by attempt",
            (alert_id,),
        ).fetchall()


def _until(check: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_an_alert_reaches_the_webhook_signed_and_once(
    api: str, key: str, test_db: Settings, receiver: Receiver
):
    asset = f"TX-{RUN}-a"
    r = _subscribe(api, key, url=receiver.url, asset=asset, min_severity="warning")
    assert r.status_code == 201
    secret, sub_id = r.json()["secret"], r.json()["id"]
    _wait_for_worker(test_db)

    info, alert = _alert(asset, "info"), _alert(asset)  # info is below the filter
    _produce(test_db, info, _alert(f"other-{RUN}"), alert)
    headers, body = receiver.next()
    assert headers[wh.ALERT_ID_HEADER] == alert.alert_id
    assert wh.verify(
        secret,
        headers[wh.TIMESTAMP_HEADER],
        body,
        headers[wh.SIGNATURE_HEADER],
        now=time.time(),
    )
    assert not wh.verify(
        "not-the-secret",
        headers[wh.TIMESTAMP_HEADER],
        body,
        headers[wh.SIGNATURE_HEADER],
        now=time.time(),
    )
    sent = json.loads(body)
    assert sent["subscription_id"] == sub_id
    assert sent["alert"]["id"] == alert.alert_id and sent["alert"]["asset"] == asset
    _until(lambda: _attempts(test_db, alert.alert_id) == [(1, "delivered", 200, False)])
    assert _attempts(test_db, info.alert_id) == []

    # The same alert again (a replay) is not delivered twice; a new one still is.
    later = _alert(asset)
    _produce(test_db, alert, later)
    headers, _ = receiver.next()
    assert headers[wh.ALERT_ID_HEADER] == later.alert_id
    assert receiver.requests.empty()
    assert _attempts(test_db, alert.alert_id) == [(1, "delivered", 200, False)]


def test_a_failing_webhook_is_retried_then_delivered(
    api: str, key: str, test_db: Settings, receiver: Receiver
):
    asset = f"TX-{RUN}-b"
    r = _subscribe(api, key, url=receiver.url, asset=asset)
    assert r.status_code == 201
    _wait_for_worker(test_db)
    receiver.statuses.put(503)
    alert = _alert(asset, "warning")
    _produce(test_db, alert)
    first, _ = receiver.next()
    second, _ = receiver.next(timeout_s=10)
    assert first[wh.ALERT_ID_HEADER] == second[wh.ALERT_ID_HEADER] == alert.alert_id
    _until(
        lambda: (
            _attempts(test_db, alert.alert_id)
            == [(1, "failed", 503, True), (2, "delivered", 200, False)]
        )
    )


def test_a_client_error_is_not_retried(api: str, key: str, test_db: Settings, receiver: Receiver):
    asset = f"TX-{RUN}-c"
    assert _subscribe(api, key, url=receiver.url, asset=asset).status_code == 201
    _wait_for_worker(test_db)
    receiver.statuses.put(410)
    alert = _alert(asset)
    _produce(test_db, alert)
    receiver.next()
    _until(lambda: _attempts(test_db, alert.alert_id) == [(1, "failed", 410, False)])
    time.sleep(2)  # longer than the first backoff
    assert receiver.requests.empty()


def test_the_api_serves_while_kafka_is_down(test_db: Settings, key: str):
    from fastapi.testclient import TestClient

    from grid_intel.api.app import create_app

    no_kafka = test_db.model_copy(
        update={"kafka_bootstrap_servers": "127.0.0.1:1", "connect_timeout_s": 1.0}
    )
    t0 = time.monotonic()
    with TestClient(create_app(no_kafka)) as client:
        assert client.get("/readyz").status_code == 200
        listed = client.get("/api/v1/alerts/subscriptions", headers={"X-API-Key": key})
        assert listed.status_code == 200
        assert time.monotonic() - t0 < 5
    assert time.monotonic() - t0 < 15, "shutdown waits for the worker only briefly"
