"""One Kafka reader per API process, fanned out to every WebSocket client.

`Relay` runs a kafka-python consumer in a thread (no group: it assigns every
partition and starts at the end, live data only) and hands each polled batch to the
event loop, where `Hub.publish` puts it on the subscribers' bounded queues without
ever waiting. A client whose queue is full is a slow consumer: it is dropped, so it
can stall neither the relay nor the other clients.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from prometheus_client import Counter, Gauge

from grid_intel import log
from grid_intel.api.stream_filters import Event, StreamFilter, dropped, encode, message
from grid_intel.broker.client import consumer, partitions
from grid_intel.broker.codec import DecodeError, decode_alert, decode_frequency, decode_scan
from grid_intel.broker.security import KafkaSecurity
from grid_intel.broker.topics import GRID_ALERTS, GRID_FREQUENCY, SENSOR_READINGS

_log = log.get(__name__)

# Topic -> (message type, decoder).
DECODERS: dict[str, tuple[str, Callable[[bytes | None], Event]]] = {
    SENSOR_READINGS.name: ("reading", decode_scan),
    GRID_FREQUENCY.name: ("frequency", decode_frequency),
    GRID_ALERTS.name: ("alert", decode_alert),
}
POLL_RECORDS = 500  # records per poll, handed to the loop as one batch
PUBLISH_CHUNK = 20  # events published before the loop lets the senders run
RETRY_S = (1.0, 30.0)  # first and longest wait before reconnecting to Kafka

MESSAGES = Counter(
    "grid_intel_api_stream_messages", "Kafka messages relayed to the stream", ["type"]
)
MALFORMED = Counter(
    "grid_intel_api_stream_malformed", "Kafka messages the relay could not decode", ["topic"]
)
SLOW_CLIENTS = Counter(
    "grid_intel_api_stream_slow_consumers", "Stream clients dropped for a full queue"
)
CLIENTS = Gauge("grid_intel_api_stream_clients", "Stream clients connected")


class Subscriber:
    """One client: its filter, its bounded queue of JSON texts, and why it was dropped."""

    def __init__(self, flt: StreamFilter, maxsize: int) -> None:
        self.filter = flt
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize)
        self.dropped: str | None = None
        self.gone = asyncio.Event()


@dataclass
class HubStats:
    published: int = 0
    dropped_clients: int = 0


@dataclass
class Hub:
    """The subscribers of this process; every method runs on the event loop."""

    subscribers: set[Subscriber] = field(default_factory=set)
    stats: HubStats = field(default_factory=HubStats)
    # Types some client wants, read by the relay thread to skip decoding the rest.
    wanted: frozenset[str] = frozenset()

    def subscribe(self, flt: StreamFilter, maxsize: int) -> Subscriber:
        sub = Subscriber(flt, maxsize)
        self.subscribers.add(sub)
        self._changed()
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)
        sub.gone.set()
        self._changed()

    def publish(self, events: Iterable[Event]) -> None:
        for event in events:
            full = None  # the unfiltered event's JSON, encoded once for all who want it
            for sub in list(self.subscribers):
                seen = sub.filter.select(event)
                if seen is None:
                    continue
                if seen is event:
                    full = full or encode(message(event))
                    self.offer(sub, full)
                else:
                    self.offer(sub, encode(message(seen)))
            self.stats.published += 1

    def offer(self, sub: Subscriber, text: str) -> bool:
        """Queue a text for a client, dropping the client when its queue is full."""
        if sub.dropped is not None:
            return False
        try:
            sub.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.drop(sub, f"slow consumer: {sub.queue.maxsize} messages queued unread")
            return False
        return True

    def drop(self, sub: Subscriber, reason: str) -> None:
        sub.dropped = reason
        self.stats.dropped_clients += 1
        SLOW_CLIENTS.inc()
        self.unsubscribe(sub)

    def _changed(self) -> None:
        self.wanted = frozenset(t for s in self.subscribers for t in s.filter.types)
        CLIENTS.set(len(self.subscribers))


def farewell(sub: Subscriber) -> str:
    """The last message a dropped client is sent, when it reads again in time."""
    return encode(dropped(sub.dropped or "dropped", queued=sub.queue.qsize()))


@dataclass
class RelayStats:
    received: int = 0
    malformed: int = 0
    connects: int = 0


class Relay:
    """The Kafka reader thread; retries in the background while the broker is away."""

    def __init__(
        self,
        bootstrap: str,
        security: KafkaSecurity,
        hub: Hub,
        loop: asyncio.AbstractEventLoop,
        topics: Iterable[str] = tuple(DECODERS),
    ) -> None:
        self.bootstrap, self.security = bootstrap, security
        self.hub = hub
        self.loop = loop
        self.topics = tuple(topics)
        self.stats = RelayStats()
        self.live = False  # assigned and positioned at the end: new messages will arrive
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._consume()
            except Exception as exc:  # any failure: log, wait, reconnect; never end the thread
                self.live = False
                delay = min(RETRY_S[0] * 2**failures, RETRY_S[1])
                failures += 1
                _log.warning(
                    "stream relay cannot read Kafka; retrying",
                    bootstrap=self.bootstrap,
                    error=f"{type(exc).__name__}: {exc}",
                    retry_in_s=delay,
                )
                self._stop.wait(delay)
            else:
                failures = 0
        self.live = False

    def _consume(self) -> None:
        with consumer(self.bootstrap, security=self.security) as c:
            tps = [tp for topic in self.topics for tp in partitions(c, topic)]
            c.assign(tps)
            c.seek_to_end(*tps)
            for tp in tps:  # resolve the end now, so what arrives from here on is read
                c.position(tp)
            self.live = True
            self.stats.connects += 1
            _log.info("stream relay reading Kafka", partitions=len(tps))
            while not self._stop.is_set():
                batches = c.poll(timeout_ms=500, max_records=POLL_RECORDS)
                events = [
                    e
                    for tp, records in batches.items()
                    for r in records
                    if (e := self.decode(tp.topic, r.value)) is not None
                ]
                if events:
                    self._hand_over(events)

    def decode(self, topic: str, value: bytes | None) -> Event | None:
        """The event of one record; None for a type no client wants or a malformed one."""
        self.stats.received += 1
        kind, decode = DECODERS[topic]
        if kind not in self.hub.wanted:
            return None
        try:
            event = decode(value)
        except DecodeError as exc:
            self.stats.malformed += 1
            MALFORMED.labels(topic).inc()
            if self.stats.malformed == 1 or self.stats.malformed % 1000 == 0:
                _log.warning(
                    "stream relay skipped malformed messages",
                    topic=topic,
                    error=str(exc),
                    malformed=self.stats.malformed,
                )
            return None
        MESSAGES.labels(kind).inc()
        return event

    def _hand_over(self, events: list[Event]) -> None:
        """Publish on the loop a chunk at a time, and wait until it is done: the
        clients' senders drain their queues between chunks, so a burst does not fill a
        reading client's queue, and the next poll waits for this batch."""

        async def deliver() -> None:
            for i in range(0, len(events), PUBLISH_CHUNK):
                self.hub.publish(events[i : i + PUBLISH_CHUNK])
                await asyncio.sleep(0)

        done = asyncio.run_coroutine_threadsafe(deliver(), self.loop)
        while not self._stop.is_set():
            try:
                done.result(timeout=0.5)
                return
            except concurrent.futures.TimeoutError:
                continue
        done.cancel()
