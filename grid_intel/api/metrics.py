"""Prometheus metrics for the API: requests by route template, method and status, and
their latency, exposed at GET /metrics.

Each app gets its own registry (tests build several apps in one process), and the
label is the route's template (/api/v1/equipment/{asset_id}/health), never the raw
path, so a scan of unknown URLs cannot explode the series count.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
)
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "unmatched"
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "grid_intel_api_requests",
            "HTTP requests answered, by route template, method and status code.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "grid_intel_api_request_duration_seconds",
            "Time from request to the end of the response, by route template and method.",
            ("route", "method"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )


def route_template(scope: Scope) -> str:
    """The matched route's path template, or a single label for anything unmatched."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class MetricsMiddleware:
    """Pure ASGI middleware (no per-request task or body buffering) counting HTTP
    requests; WebSocket and lifespan traffic pass straight through."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500  # what the client sees if the app raises before responding

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route, method = route_template(scope), scope["method"]
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(time.perf_counter() - began)


router = APIRouter()


@router.get(
    "/metrics",
    tags=["operations"],
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Text exposition"}},
)
async def metrics(request: Request) -> Response:
    """The app's request metrics, then the process-wide ones: the stream relay's
    messages, clients and drops, and Python's process and GC collectors."""
    registry = request.app.state.metrics.registry
    body = generate_latest(registry) + generate_latest(REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Count every HTTP request the app answers and serve /metrics."""
    app.state.metrics = Metrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.include_router(router)
