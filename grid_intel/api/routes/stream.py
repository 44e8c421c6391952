"""The live stream, `/ws/v1/stream`: readings, frequency and alerts as they reach Kafka.

Query parameters (all optional): `types` (comma list of reading, frequency, alert;
default all), `asset`, `kind`, `region`, `min_severity`, `points` (comma lists),
`heartbeat` (seconds, 1..60, default 15) and `buffer` (messages queued unsent before
the client counts as slow, 1..1000, default 1000; below the relay's publish chunk of
20 a burst alone can fill it). Every message is JSON `{"type", "data"}`; a scan is
one "reading" with only the matching points. Close codes: 1008 with the reason for
a query the stream cannot serve (the socket is accepted first, so browsers see the
reason); 1013 after a final "dropped" message for a client that let its buffer fill;
1011 when the relay is not running.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, WebSocket

from grid_intel.api.relay import Hub, Relay, Subscriber, farewell
from grid_intel.api.stream_filters import FilterError, StreamOptions, encode, heartbeat, parse

router = APIRouter()

HEARTBEAT_S = 15.0
QUEUE_SIZE = 1000
DROP_GRACE_S = 10.0  # how long a dropped client has to read its "dropped" message


async def startup(app: FastAPI) -> None:
    """Start the process's one relay; an unreachable broker only delays it."""
    hub = Hub()
    settings = app.state.settings
    relay = Relay(
        settings.kafka_bootstrap, settings.kafka_security, hub, asyncio.get_running_loop()
    )
    relay.start()
    app.state.stream_hub, app.state.stream_relay = hub, relay


async def shutdown(app: FastAPI) -> None:
    await asyncio.to_thread(app.state.stream_relay.stop)


@router.websocket("/ws/v1/stream", name="stream")
async def stream(ws: WebSocket) -> None:
    await ws.accept()
    hub: Hub | None = getattr(ws.app.state, "stream_hub", None)
    if hub is None:
        await ws.close(1011, "the stream relay is not running")
        return
    try:
        flt, options = parse(ws.query_params, heartbeat_s=HEARTBEAT_S, buffer=QUEUE_SIZE)
    except FilterError as exc:
        await ws.close(1008, _reason(str(exc)))
        return
    sub = hub.subscribe(flt, options.buffer)
    try:
        await _serve(ws, hub, sub, options)
    finally:
        hub.unsubscribe(sub)


async def _serve(ws: WebSocket, hub: Hub, sub: Subscriber, options: StreamOptions) -> None:
    relay: Relay = ws.app.state.stream_relay

    def beat() -> None:
        hub.offer(sub, encode(heartbeat(datetime.now(UTC), kafka=relay.live)))

    async def send() -> None:
        while True:
            await ws.send_text(await sub.queue.get())

    async def beats() -> None:
        while True:
            await asyncio.sleep(options.heartbeat_s)
            beat()

    async def listen() -> None:  # the client's messages are ignored; this sees it leave
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass

    beat()
    tasks = [asyncio.create_task(c()) for c in (send, beats, listen)]
    tasks.append(asyncio.create_task(sub.gone.wait()))
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if sub.dropped is not None:
        await _drop(ws, sub)


async def _drop(ws: WebSocket, sub: Subscriber) -> None:
    """Tell a slow client why it goes, if it reads again within the grace period."""
    with suppress(Exception):
        await asyncio.wait_for(ws.send_text(farewell(sub)), DROP_GRACE_S)
        await asyncio.wait_for(ws.close(1013, "slow consumer"), DROP_GRACE_S)


def _reason(text: str) -> str:
    """A close reason fits in 123 bytes of UTF-8."""
    return text.encode()[:123].decode(errors="ignore")
