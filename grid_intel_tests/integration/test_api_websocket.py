"""The live stream end to end: real uvicorn, the relay on the real broker, a real client."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from grid_intel.broker.client import producer
from grid_intel.broker.codec import Alert, encode_alert
from grid_intel.broker.security import KafkaSecurity
from grid_intel.broker.topics import GRID_ALERTS
from grid_intel.settings import Settings
from grid_intel_tests.api_server import serving


@pytest.fixture(scope="module")
def ws_base(test_db: Settings) -> Iterator[str]:
    with serving(test_db) as base:
        yield base.replace("http://", "ws://") + "/ws/v1/stream"


def alerts(asset: str, n: int = 1, pad: int = 0, kind: str = "overheating") -> list[Alert]:
    now = datetime.now(UTC)  # recent: the topic's retention is by time
    return [
        Alert(
            now,
            f"ws-{uuid.uuid4().hex[:12]}",
            asset,
            kind,
            "critical",
            f"test alert {i}",
            # Random bytes: a padding compression cannot shrink.
            {"i": i, "pad": os.urandom(pad).hex()} if pad else {"i": i},
        )
        for i in range(n)
    ]


def produce(bootstrap: str, batch: list[Alert]) -> None:
    with producer(bootstrap, security=KafkaSecurity()) as p:  # the test stack: plaintext
        for a in batch:
            p.send(GRID_ALERTS.name, key=a.asset.encode(), value=encode_alert(a))


def client(url: str, **options: Any):
    return connect(url, proxy=None, open_timeout=10, **options)


async def next_of(ws: ClientConnection, kind: str, timeout_s: float = 10.0) -> dict:
    async with asyncio.timeout(timeout_s):
        while True:
            msg = json.loads(await ws.recv())
            if msg["type"] == kind:
                return msg


async def live(ws: ClientConnection) -> None:
    """Wait until a heartbeat says the relay reads Kafka (it starts at the end)."""
    async with asyncio.timeout(30):
        while not (await next_of(ws, "heartbeat"))["data"]["kafka"]:
            pass


def test_an_alert_reaches_the_clients_whose_filter_matches(ws_base: str, test_db: Settings):
    asset = f"ws_tx_{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        match = f"{ws_base}?types=alert&asset={asset}&min_severity=warning&heartbeat=1"
        other = f"{ws_base}?types=alert&asset={asset}&kind=spike&heartbeat=1"
        async with client(match) as ws, client(other) as ws_other:
            await live(ws)
            await live(ws_other)
            [sent] = alerts(asset)
            await asyncio.to_thread(produce, test_db.kafka_bootstrap, [sent])
            got = await next_of(ws, "alert", timeout_s=5)
            assert got["data"]["asset"] == asset and got["data"]["kind"] == "overheating"
            assert got["data"]["id"] == sent.alert_id and got["data"]["ts"].endswith("Z")
            # The other client sees heartbeats only, well after the alert arrived.
            for _ in range(2):
                assert json.loads(await ws_other.recv())["type"] == "heartbeat"

    asyncio.run(scenario())


def test_heartbeats_arrive_at_the_asked_interval(ws_base: str):
    async def scenario() -> None:
        async with client(f"{ws_base}?types=alert&asset=nobody_here&heartbeat=1") as ws:
            loop = asyncio.get_running_loop()
            first = await next_of(ws, "heartbeat", timeout_s=2)  # sent on connect
            start = loop.time()
            second = await next_of(ws, "heartbeat", timeout_s=3)
            assert 0.5 < loop.time() - start < 2.5
            assert first["ts"].endswith("Z") and second["ts"] >= first["ts"]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("types=alert,price", "types must be a comma list"),
        ("min_severity=fatal", "min_severity"),
        ("heartbeat=0", "heartbeat must be between 1 and 60"),
        ("types=frequency&kind=spike", "kind filters alert"),
    ],
)
def test_an_invalid_filter_closes_with_1008_and_says_why(ws_base: str, query: str, reason: str):
    async def scenario() -> None:
        async with client(f"{ws_base}?{query}") as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1008 and reason in closed.value.rcvd.reason

    asyncio.run(scenario())


def test_a_slow_client_is_dropped_while_a_fast_one_keeps_receiving(ws_base: str, test_db: Settings):
    asset = f"ws_burst_{uuid.uuid4().hex[:8]}"
    n = 600
    url = f"{ws_base}?types=alert&asset={asset}&heartbeat=1"
    host, port = ws_base.removeprefix("ws://").split("/")[0].split(":")

    def tight_socket() -> socket.socket:
        """A client socket with a small receive buffer, so unread data backs up fast."""
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((host, int(port)))
        s.setblocking(False)
        return s

    async def scenario() -> None:
        async with (
            client(f"{url}&buffer=100", sock=tight_socket(), max_queue=1, compression=None) as slow,
            client(url) as fast,
        ):
            await live(slow)  # then never reads while the burst goes by
            await live(fast)
            received: list[dict] = []

            async def read_fast() -> None:
                while len(received) < n:
                    msg = json.loads(await fast.recv())
                    if msg["type"] == "alert":
                        received.append(msg)

            reader = asyncio.create_task(read_fast())
            await asyncio.to_thread(produce, test_db.kafka_bootstrap, alerts(asset, n, pad=8192))
            async with asyncio.timeout(60):
                await reader
            assert [m["data"]["detail"]["i"] for m in received] == list(range(n))

            # The slow client reads again: what was buffered, then why it was dropped.
            seen: list[dict] = []
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(30):
                    while True:
                        seen.append(json.loads(await slow.recv()))
            assert seen[-1]["type"] == "dropped" and "slow consumer" in seen[-1]["reason"]
            assert sum(m["type"] == "alert" for m in seen) < n
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013

    asyncio.run(scenario())


def test_the_api_starts_and_beats_while_kafka_is_unreachable(test_db: Settings):
    broken = test_db.model_copy(update={"kafka_bootstrap_servers": "127.0.0.1:1"})

    async def scenario(url: str) -> None:
        async with client(f"{url}?heartbeat=1") as ws:
            for _ in range(2):
                beat = await next_of(ws, "heartbeat", timeout_s=3)
                assert beat["data"]["kafka"] is False

    with serving(broken) as base:
        asyncio.run(scenario(base.replace("http://", "ws://") + "/ws/v1/stream"))
