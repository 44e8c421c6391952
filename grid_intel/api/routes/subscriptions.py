"""Alert subscriptions by webhook (API key required), and the delivery worker's
lifecycle in the API process.

Deliveries are POSTs of JSON signed with the subscription's secret: see
`grid_intel.alerts.webhooks` for the headers and how to verify them.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, field_validator

from grid_intel import log as logging
from grid_intel.alerts import webhooks as wh
from grid_intel.alerts.delivery import DeliveryWorker
from grid_intel.api.auth import Caller
from grid_intel.api.db import fetch

log = logging.get(__name__)
Severity = Literal["info", "warning", "critical"]
_KEY_ERRORS = {
    401: {"description": "No X-API-Key header"},
    403: {"description": "The API key is unknown or revoked"},
}

router = APIRouter(prefix="/api/v1/alerts", tags=["alert subscriptions"])


class SubscribeRequest(BaseModel):
    url: str = Field(
        max_length=wh.MAX_URL_LENGTH, description="http(s) URL on an allowed host, no credentials."
    )
    asset: str | None = Field(default=None, max_length=200, description="Only this asset's alerts.")
    kind: str | None = Field(default=None, max_length=100, description="Only this kind of alert.")
    min_severity: Severity | None = Field(default=None, description="Only this severity or above.")

    @field_validator("asset", "kind")
    @classmethod
    def _no_control_characters(cls, value: str | None) -> str | None:
        """No alert's asset or kind has one, and PostgreSQL text cannot hold NUL (a 500)."""
        if value is not None and any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("must not contain control characters (such as NUL)")
        return value


class Filters(BaseModel):
    asset: str | None
    kind: str | None
    min_severity: Severity | None


class Subscription(BaseModel):
    id: str
    url: str
    filters: Filters
    created_at: datetime


class Created(Subscription):
    secret: str = Field(
        description="HMAC-SHA256 key of the X-Grid-Intel-Signature header "
        "(over '<X-Grid-Intel-Timestamp>.<body>'). Shown only now: store it."
    )


_COLUMNS = "id::text as id, url, asset, kind, min_severity, created_at"


def _subscription(row: dict) -> dict:
    filters = {k: row[k] for k in ("asset", "kind", "min_severity")}
    return {"id": row["id"], "url": row["url"], "filters": filters, "created_at": row["created_at"]}


@router.post(
    "/subscribe",
    status_code=201,
    response_model=Created,
    summary="Subscribe a webhook to alerts",
    responses=_KEY_ERRORS,
)
async def subscribe(body: SubscribeRequest, request: Request, caller: Caller) -> dict:
    """Alerts matching the filters are POSTed to the URL as JSON
    `{"type": "grid.alert", "subscription_id", "alert": {...}}` with the headers
    `X-Grid-Intel-Alert-Id`, `X-Grid-Intel-Timestamp` (Unix seconds) and
    `X-Grid-Intel-Signature: sha256=<hex>`, the HMAC-SHA256 with the returned secret of
    `<timestamp>.<raw body>`. Verify it in constant time and refuse old timestamps.
    Connection errors, 429 and 5xx are retried with exponential backoff (5 attempts);
    other statuses are final. An alert is sent once per subscription (the attempts are
    recorded); only a worker dying mid-request can make it send an alert again."""
    try:
        wh.validate_url(body.url, request.app.state.settings.webhook_allowed_hosts)
    except wh.InvalidWebhookUrl as exc:
        raise RequestValidationError(
            [{"loc": ("body", "url"), "msg": str(exc), "type": "value_error"}]
        ) from exc
    secret = secrets.token_urlsafe(32)
    rows = await fetch(
        request,
        "insert into ops.alert_subscriptions (api_key_id, url, secret, asset, kind, min_severity)"
        f" values (%s, %s, %s, %s, %s, %s) returning {_COLUMNS}",
        (caller.id, body.url, secret, body.asset, body.kind, body.min_severity),
    )
    return _subscription(rows[0]) | {"secret": secret}


@router.get(
    "/subscriptions",
    response_model=list[Subscription],
    summary="This key's active subscriptions",
    responses=_KEY_ERRORS,
)
async def subscriptions(request: Request, caller: Caller) -> list[dict]:
    rows = await fetch(
        request,
        f"select {_COLUMNS} from ops.alert_subscriptions"
        " where api_key_id = %s and deleted_at is null order by created_at, id",
        (caller.id,),
    )
    return [_subscription(r) for r in rows]


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="Stop a subscription",
    responses=_KEY_ERRORS | {404: {"description": "No such subscription for this key"}},
)
async def unsubscribe(subscription_id: UUID, request: Request, caller: Caller) -> Response:
    rows = await fetch(
        request,
        "update ops.alert_subscriptions set deleted_at = now()"
        " where id = %s and api_key_id = %s and deleted_at is null returning id",
        (subscription_id, caller.id),
    )
    if not rows:
        raise HTTPException(404, f"no subscription {subscription_id} for this API key")
    return Response(status_code=204)


async def startup(app: FastAPI) -> None:
    """Start delivering webhooks in the background; the worker waits for Kafka and the
    warehouse itself, so the API serves even while they are down."""
    settings = app.state.settings
    if not settings.kafka_bootstrap or not getattr(app.state, "webhook_delivery", True):
        log.info("webhook delivery off: no Kafka configured")
        return
    worker = DeliveryWorker(settings, getattr(app.state, "webhook_policy", None))
    worker.start()
    app.state.webhooks = worker
    log.info("webhook delivery started", group=worker.group)


async def shutdown(app: FastAPI) -> None:
    worker: DeliveryWorker | None = getattr(app.state, "webhooks", None)
    if worker is not None:
        await asyncio.to_thread(worker.stop)
        app.state.webhooks = None
