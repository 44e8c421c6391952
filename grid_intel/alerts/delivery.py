"""The webhook delivery worker: grid.alerts → matching subscriptions, signed, retried.

It runs in a thread of the API process (kafka-python blocks) with its own event loop
for the HTTP calls and the database, as the API role. Offsets are committed after a
batch's deliveries have finished, so a restart re-reads unfinished alerts; the ledger
(ops.webhook_deliveries) is what keeps each alert to one delivery per subscription:
before sending, a worker claims the next attempt number, and an alert already
delivered, or given up on, is skipped.

A group that has never committed starts at the end of the topic: a new deployment
does not replay 90 days of alerts to its first subscribers. The group is named after
the warehouse database, because its offsets and the ledger must describe the same
deliveries.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from grid_intel import log as logging
from grid_intel.alerts import webhooks as wh
from grid_intel.broker.codec import Alert, DecodeError, decode_alert
from grid_intel.broker.topics import GRID_ALERTS
from grid_intel.settings import Settings

log = logging.get(__name__)
GROUP = "grid-intel-webhooks"


def group_for(settings: Settings) -> str:
    """The consumer group of the worker delivering for this warehouse."""
    db = conninfo_to_dict(settings.api_warehouse).get("dbname") or settings.warehouse_db
    return f"{GROUP}.{db}"


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    secret: str
    filters: wh.Filters


class DeliveryWorker:
    """Start with `start()`, stop with `stop()`; `ready` is set once the worker holds its
    partitions and has a committed position to resume from."""

    def __init__(
        self,
        settings: Settings,
        policy: wh.RetryPolicy | None = None,
        *,
        topic: str = GRID_ALERTS.name,
        reconnect_s: float = 5.0,
    ) -> None:
        self.settings, self.topic, self.reconnect_s = settings, topic, reconnect_s
        self.policy = policy or wh.RetryPolicy()
        self.group = group_for(settings)
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._new: set[TopicPartition] = set()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._main()), name="webhook-delivery", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 20.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    async def _main(self) -> None:
        pool = AsyncConnectionPool(
            self.settings.api_warehouse,
            min_size=1,
            max_size=4,
            open=False,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "application_name": "grid-intel-webhooks",
                "connect_timeout": max(1, int(self.settings.connect_timeout_s)),
            },
            timeout=self.settings.connect_timeout_s,
        )
        await pool.open(wait=False)
        try:
            async with httpx.AsyncClient(
                timeout=self.policy.timeout_s, follow_redirects=False, trust_env=False
            ) as http:
                while not self._stop.is_set():
                    try:
                        await self._consume(pool, http)
                    except Exception as exc:  # broker or warehouse down: log, wait, resume
                        self.ready.clear()
                        log.warning(
                            "webhook delivery paused",
                            error=f"{type(exc).__name__}: {exc}",
                            retry_in_s=self.reconnect_s,
                        )
                        await self._sleep(self.reconnect_s)
        finally:
            await pool.close()

    async def _consume(self, pool: AsyncConnectionPool, http: httpx.AsyncClient) -> None:
        with self.settings.kafka_consumer(group_id=self.group) as c:
            c.subscribe([self.topic], listener=_Listener(self))
            while not self._stop.is_set():
                batches = c.poll(timeout_ms=500, max_records=50)
                self._start_new_partitions(c, batches)
                if not batches:
                    continue
                alerts = []
                for messages in batches.values():
                    for m in messages:
                        try:
                            alerts.append(decode_alert(m.value))
                        except DecodeError as exc:
                            log.warning(
                                "undecodable alert skipped", offset=m.offset, error=str(exc)
                            )
                await self._deliver_batch(pool, http, alerts)
                if self._stop.is_set():
                    return  # unfinished retries resume from the ledger after a restart
                c.commit(
                    {tp: OffsetAndMetadata(ms[-1].offset + 1, "", -1) for tp, ms in batches.items()}
                )

    def _start_new_partitions(self, c: KafkaConsumer, batches: dict) -> None:
        """A partition the group never committed starts at its end; commit that position
        at once, so that alerts produced from now on survive a restart."""
        for tp in list(self._new):
            if c.committed(tp) is None:
                batches.pop(tp, None)
                c.seek_to_end(tp)
                c.commit({tp: OffsetAndMetadata(c.position(tp), "", -1)})
            self._new.discard(tp)
        if not self._new and c.assignment():
            self.ready.set()

    async def _deliver_batch(
        self, pool: AsyncConnectionPool, http: httpx.AsyncClient, alerts: list[Alert]
    ) -> None:
        """Each subscription gets its matching alerts in order; subscriptions in parallel."""
        if not alerts:
            return
        subs = await _subscriptions(pool)
        async with asyncio.TaskGroup() as tasks:
            for sub in subs:
                try:  # the allow-list may have shrunk since the subscription was made
                    wh.validate_url(sub.url, self.settings.webhook_allowed_hosts)
                except wh.InvalidWebhookUrl as exc:
                    log.warning("webhook skipped", subscription=sub.id, reason=str(exc))
                    continue
                matched = [a for a in alerts if sub.filters.matches(a)]
                if matched:
                    tasks.create_task(self._deliver_all(pool, http, sub, matched))

    async def _deliver_all(
        self, pool: AsyncConnectionPool, http: httpx.AsyncClient, sub: Subscription, alerts
    ) -> None:
        for alert in alerts:
            if self._stop.is_set():
                return
            await self._deliver(pool, http, sub, alert)

    async def _deliver(
        self, pool: AsyncConnectionPool, http: httpx.AsyncClient, sub: Subscription, alert: Alert
    ) -> None:
        """Send one alert to one subscription, resuming after the attempts on record."""
        async with pool.connection() as conn:
            cur = await conn.execute(
                "select attempt, state, next_attempt_at from ops.webhook_deliveries"
                " where subscription_id = %s and alert_id = %s order by attempt",
                (sub.id, alert.alert_id),
            )
            history = await cur.fetchall()
        if any(r["state"] == "delivered" for r in history):
            return
        if history and history[-1]["state"] == "failed" and history[-1]["next_attempt_at"] is None:
            return  # given up on: a 4xx, or the last attempt
        attempt = history[-1]["attempt"] if history else 0
        if history and history[-1]["next_attempt_at"] is not None:
            wait = (history[-1]["next_attempt_at"] - datetime.now(UTC)).total_seconds()
            await self._sleep(max(0.0, wait))
        body = orjson.dumps(wh.payload(alert, sub.id))
        while attempt < self.policy.attempts and not self._stop.is_set():
            attempt += 1
            row_id = await _claim(pool, sub.id, alert.alert_id, attempt)
            if row_id is None:
                return  # another worker holds this attempt
            status, error = await self._post(http, sub, alert, body)
            result = wh.outcome(status)
            retry = result == "retry" and attempt < self.policy.attempts
            delay = self.policy.delay(attempt, random.random()) if retry else 0.0
            await _record(pool, row_id, result, status, error, delay if retry else None)
            log.info(
                "webhook attempt",
                subscription=sub.id,
                alert=alert.alert_id,
                attempt=attempt,
                status=status,
                result=result,
            )
            if not retry:
                return
            await self._sleep(delay)
            if not await _active(pool, sub.id):
                return

    async def _post(
        self, http: httpx.AsyncClient, sub: Subscription, alert: Alert, body: bytes
    ) -> tuple[int | None, str | None]:
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "grid-intel-webhooks/1",
            wh.TIMESTAMP_HEADER: str(ts),
            wh.SIGNATURE_HEADER: wh.sign(sub.secret, ts, body),
            wh.ALERT_ID_HEADER: alert.alert_id,
        }
        try:
            r = await http.post(sub.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        return r.status_code, None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"

    async def _sleep(self, seconds: float) -> None:
        """Sleep, waking early when the worker is stopped."""
        await asyncio.to_thread(self._stop.wait, seconds)


class _Listener(ConsumerRebalanceListener):
    """Notes newly assigned partitions for the poll loop (callbacks must not block)."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self.worker = worker

    def on_partitions_revoked(self, revoked) -> None:
        self.worker.ready.clear()

    def on_partitions_assigned(self, assigned) -> None:
        self.worker._new |= set(assigned)


async def _subscriptions(pool: AsyncConnectionPool) -> list[Subscription]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "select id::text as id, url, secret, asset, kind, min_severity"
            " from ops.alert_subscriptions where deleted_at is null"
        )
        rows = await cur.fetchall()
    return [
        Subscription(
            r["id"], r["url"], r["secret"], wh.Filters(r["asset"], r["kind"], r["min_severity"])
        )
        for r in rows
    ]


async def _active(pool: AsyncConnectionPool, sub_id: str) -> bool:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "select 1 from ops.alert_subscriptions where id = %s and deleted_at is null", (sub_id,)
        )
        return await cur.fetchone() is not None


async def _claim(pool: AsyncConnectionPool, sub_id: str, alert_id: str, attempt: int) -> str | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "insert into ops.webhook_deliveries (subscription_id, alert_id, attempt)"
            " values (%s, %s, %s) on conflict do nothing returning id::text as id",
            (sub_id, alert_id, attempt),
        )
        row = await cur.fetchone()
    return row["id"] if row else None


async def _record(
    pool: AsyncConnectionPool,
    row_id: str,
    result: wh.Outcome,
    status: int | None,
    error: str | None,
    retry_in_s: float | None,
) -> None:
    now = datetime.now(UTC)
    async with pool.connection() as conn:
        await conn.execute(
            "update ops.webhook_deliveries set state = %s, status_code = %s, error = %s,"
            " delivered_at = %s, next_attempt_at = %s where id = %s",
            (
                "delivered" if result == "delivered" else "failed",
                status,
                error,
                now if result == "delivered" else None,
                now + timedelta(seconds=retry_in_s) if retry_in_s is not None else None,
                row_id,
            ),
        )
