"""The FastAPI application: versioned REST under /api/v1, the WebSocket stream under
/ws/v1, the dashboard at /, health and Prometheus metrics at the root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from grid_intel.api import errors, metrics
from grid_intel.api.db import fetch, open_pool
from grid_intel.api.routes import dashboard, data, stream, subscriptions
from grid_intel.settings import Settings, get_settings

VERSION = "1.0.0"
# Router modules that also run a background service expose startup(app)/shutdown(app).
SERVICES = tuple(m for m in (subscriptions, stream) if hasattr(m, "startup"))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = open_pool(settings)
        await app.state.pool.open(wait=False)
        started = []
        try:
            # Background services (the Kafka relay, webhook delivery) start after the
            # pool and stop before it, in reverse order.
            for service in SERVICES:
                await service.startup(app)
                started.append(service)
            yield
        finally:
            for service in reversed(started):
                await service.shutdown(app)
            await app.state.pool.close()

    app = FastAPI(
        title="Manitoba Grid Intelligence API",
        version=VERSION,
        description="Read-only access to the platform's gold layer (forecasts, equipment "
        "health, prices, carbon, anomalies, live grid status), alert subscriptions by "
        "webhook, and a live WebSocket stream.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    metrics.install(app)

    @app.get("/healthz", tags=["operations"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="The warehouse answers as the API role",
        responses={503: {"description": "The warehouse cannot be reached"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        try:
            await fetch(request, "select 1")
        except Exception as exc:  # readiness reports any failure rather than raising
            return JSONResponse(
                {"status": "unavailable", "error": f"warehouse: {type(exc).__name__}"},
                status_code=503,
            )
        return JSONResponse({"status": "ready"})

    app.include_router(data.router)
    app.include_router(subscriptions.router)
    app.include_router(stream.router)
    app.include_router(dashboard.router)
    return app
