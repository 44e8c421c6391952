"""Read-only REST over gold and silver: demand, equipment health, prices, carbon,
generation, anomalies and the live grid status, under /api/v1.

Handlers are thin: validate, run one statement from `queries`, shape. A table the
pipeline has not built yet reads as no data, never as a server error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import psycopg
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel

from grid_intel import log as logging
from grid_intel.api import queries as q
from grid_intel.api.db import fetch
from grid_intel.api.schemas import (
    AnomalyEvent,
    AssetHealth,
    CarbonIntensity,
    CurrentPrices,
    DemandActual,
    DemandForecast,
    DemandForecastIssued,
    ErrorBody,
    ForecastAccuracy,
    GenerationMix,
    GridStatus,
    HeatmapCell,
    InvalidBody,
    Page,
    PriceSignals,
)

log = logging.get(__name__)


# -- parameters -------------------------------------------------------------------------

RegionId = Literal[q.REGION_IDS]  # type: ignore[valid-type]  # the registry's regions
Horizon = Literal["15min", "1h", "24h", "7d"]
Node = Literal["MHEB", "MINN.HUB"]
AssetId = Annotated[str, Path(pattern=q.ASSET_ID, description="Asset id, e.g. radisson_t1")]


def invalid(exc: q.InvalidParameter) -> RequestValidationError:
    """A 422 in the same shape as FastAPI's own validation errors."""
    return RequestValidationError(
        [{"loc": ("query", exc.field), "msg": str(exc), "type": "value_error"}]
    )


def window(
    start: Annotated[
        AwareDatetime | None, Query(description="ISO 8601 with timezone; default end - 24 h")
    ] = None,
    end: Annotated[
        AwareDatetime | None, Query(description="ISO 8601 with timezone, exclusive; default now")
    ] = None,
) -> tuple[datetime, datetime]:
    try:
        return q.time_window(start, end, datetime.now(UTC))
    except q.InvalidParameter as exc:
        raise invalid(exc) from None


class Paging(BaseModel):
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=q.MAX_LIMIT)] = q.DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=q.MAX_OFFSET)] = 0,
) -> Paging:
    return Paging(limit=limit, offset=offset)


Window = Annotated[tuple[datetime, datetime], Depends(window)]
Pages = Annotated[Paging, Depends(paging)]
Kind = Annotated[str | None, Query(pattern=q.KIND, description="e.g. transformer")]


async def rows(request: Request, sql: str, params: dict[str, Any] | None = None) -> list[dict]:
    """The statement's rows; none when its table has not been built yet."""
    try:
        return await fetch(request, sql, params)
    except psycopg.errors.UndefinedTable as exc:
        log.info("table not built yet", error=str(exc).splitlines()[0])
        return []


def paged(found: list[dict], paging: Paging) -> dict[str, Any]:
    items, next_offset = q.page(found, paging.limit, paging.offset)
    return {"items": items, **paging.model_dump(), "next_offset": next_offset}


def not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=what)


NOT_FOUND = {404: {"model": ErrorBody, "description": "Nothing to show yet, or unknown id"}}

router = APIRouter(
    prefix="/api/v1",
    responses={422: {"model": InvalidBody, "description": "A parameter was refused"}},
)


# -- demand -------------------------------------------------------------------------------


@router.get(
    "/demand/forecast",
    tags=["demand"],
    summary="The latest demand forecast for a region and horizon",
    response_model=DemandForecast,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
async def demand_forecast(
    request: Request,
    region: RegionId = q.SYSTEM,
    horizon: Horizon = "24h",
    quantiles: Annotated[
        str | None, Query(description="Comma-separated subset of 0.1,0.5,0.9; default all")
    ] = None,
) -> dict[str, Any]:
    try:
        wanted = q.quantiles(quantiles)
    except q.InvalidParameter as exc:
        raise invalid(exc) from None
    found = await rows(request, q.DEMAND_FORECAST, {"region": region, "horizon": horizon})
    if not found:
        raise not_found(f"no {horizon} demand forecast issued for {region} yet")
    return {
        "region": region,
        "horizon": horizon,
        "issued_at": found[0]["issued_at"],
        "model": found[0]["model"],
        "items": q.forecast_items(found, wanted),
    }


@router.get(
    "/demand/forecast/issued",
    tags=["demand"],
    summary="Each hour of a window as it was forecast a horizon ahead, to meet the actuals",
    response_model=DemandForecastIssued,
)
async def demand_forecast_issued(
    request: Request,
    span: Window,
    region: RegionId = q.SYSTEM,
    horizon: Horizon = "24h",
) -> dict[str, Any]:
    start, end = span
    lead = q.HORIZON_LEADS[horizon]
    params = {"region": region, "horizon": horizon, "start": start, "end": end, "lead": lead}
    found = await rows(request, q.DEMAND_FORECAST_ISSUED, params)
    return {
        "region": region,
        "horizon": horizon,
        "lead_hours": lead.total_seconds() / 3600,
        "start": start,
        "end": end,
        "items": q.issued_items(found),
    }


@router.get(
    "/demand/forecast/accuracy",
    tags=["demand"],
    summary="Each horizon's rolling MAPE, MAE and interval coverage over the last days",
    response_model=ForecastAccuracy,
)
async def demand_forecast_accuracy(
    request: Request,
    region: RegionId = q.SYSTEM,
    days: Annotated[int, Query(ge=1, le=90, description="UTC days to pool, today's included")] = 7,
) -> dict[str, Any]:
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + q.DAY
    start = end - days * q.DAY
    found = await rows(request, q.FORECAST_ACCURACY, {"region": region, "start": start, "end": end})
    return {
        "region": region,
        "days": days,
        "start": start,
        "end": end,
        "horizons": q.accuracy_by_horizon(found),
    }


@router.get(
    "/demand/actual",
    tags=["demand"],
    summary="Hourly demand (MW) for a region, or the province as their sum",
    response_model=DemandActual,
)
async def demand_actual(
    request: Request,
    span: Window,
    region: RegionId = q.SYSTEM,
) -> dict[str, Any]:
    start, end = span
    sql = q.DEMAND_ACTUAL_SYSTEM if region == q.SYSTEM else q.DEMAND_ACTUAL_REGION
    found = await rows(request, sql, {"region": region, "start": start, "end": end})
    return {"region": region, "start": start, "end": end, "items": found}


# -- equipment ----------------------------------------------------------------------------


@router.get(
    "/equipment/health",
    tags=["equipment"],
    summary="The fleet heat map: every asset's health on the newest assessed day, worst first",
    response_model=Page[HeatmapCell],
)
async def equipment_health(request: Request, paging: Pages, kind: Kind = None) -> dict[str, Any]:
    found = await rows(
        request,
        q.EQUIPMENT_HEATMAP,
        {"kind": kind, "limit": paging.limit + 1, "offset": paging.offset},
    )
    return paged(found, paging)


@router.get(
    "/equipment/{asset_id}/health",
    tags=["equipment"],
    summary="One asset's newest health assessment and its recent history",
    response_model=AssetHealth,
    responses=NOT_FOUND,
)
async def asset_health(
    request: Request,
    asset_id: AssetId,
    days: Annotated[int, Query(ge=1, le=q.MAX_HISTORY_DAYS)] = q.HISTORY_DAYS,
) -> dict[str, Any]:
    found = await rows(request, q.EQUIPMENT_ASSET, {"asset": asset_id, "days": days})
    detail = q.equipment_detail(asset_id, found)
    if detail is None:
        raise not_found(f"no health assessment for asset {asset_id!r}")
    return detail


# -- prices -------------------------------------------------------------------------------


@router.get(
    "/prices/current",
    tags=["prices"],
    summary="The day-ahead and real-time LMP intervals in effect at a node, with components",
    response_model=CurrentPrices,
)
async def prices_current(request: Request, node: Node = "MHEB") -> dict[str, Any]:
    found = await rows(request, q.PRICES_CURRENT, {"node": node, "now": datetime.now(UTC)})
    return q.current_prices(node, found)


@router.get(
    "/prices/signals",
    tags=["prices"],
    summary="The latest buy/sell signals against MISO for the next 24 h",
    response_model=PriceSignals,
    responses=NOT_FOUND,
)
async def price_signals(request: Request) -> dict[str, Any]:
    found = await rows(request, q.PRICE_SIGNALS)
    if not found:
        raise not_found("no price signals issued yet")
    return {"issued_at": found[0]["issued_at"], "items": found}


# -- carbon, generation -------------------------------------------------------------------


@router.get(
    "/carbon/intensity",
    tags=["carbon"],
    summary="Hourly production- and consumption-based carbon intensity, and the latest forecast",
    response_model=CarbonIntensity,
)
async def carbon_intensity(request: Request, span: Window) -> dict[str, Any]:
    start, end = span
    found = await rows(request, q.CARBON_INTENSITY, {"start": start, "end": end})
    issued = await rows(request, q.CARBON_FORECAST)
    forecast = None
    if issued:
        forecast = {
            "issued_at": issued[0]["issued_at"],
            "model": issued[0]["model"],
            "items": q.forecast_items(issued, tuple(q.QUANTILES.values())),
        }
    return {"start": start, "end": end, "items": found, "forecast": forecast}


@router.get(
    "/generation/mix",
    tags=["generation"],
    summary="Generation per fuel and hour, and each fuel's share",
    response_model=GenerationMix,
)
async def generation_mix(request: Request, span: Window) -> dict[str, Any]:
    start, end = span
    found = await rows(request, q.GENERATION_MIX, {"start": start, "end": end})
    return {"start": start, "end": end, "items": found}


# -- anomalies, grid ----------------------------------------------------------------------


@router.get(
    "/anomalies",
    tags=["anomalies"],
    summary="Anomaly events that started in the window, newest first",
    response_model=Page[AnomalyEvent],
)
async def anomalies(
    request: Request,
    span: Window,
    paging: Pages,
    asset: Annotated[str | None, Query(pattern=q.ASSET_ID)] = None,
    kind: Kind = None,
) -> dict[str, Any]:
    start, end = span
    params = {"start": start, "end": end, "asset": asset, "kind": kind}
    found = await rows(
        request, q.ANOMALIES, {**params, "limit": paging.limit + 1, "offset": paging.offset}
    )
    return paged(found, paging)


@router.get(
    "/grid/status",
    tags=["grid"],
    summary="System frequency, Manitoba demand, generation and net export, newest first",
    response_model=GridStatus,
)
async def grid_status(request: Request) -> dict[str, Any]:
    freq = await rows(request, q.LIVE_FREQUENCY) or await rows(request, q.CLEAN_FREQUENCY)
    demand = await rows(request, q.NEWEST_DEMAND)
    hour = demand[0]["hour"] if demand else None
    generation = net_export = []
    if hour is not None:
        generation = await rows(request, q.GENERATION_AT, {"hour": hour})
        net_export = await rows(request, q.NET_EXPORT_AT, {"hour": hour})
    frequency_at = freq[0]["at"] if freq else None
    return {
        "as_of": q.newest(frequency_at, hour),
        "frequency_hz": freq[0]["frequency_hz"] if freq else None,
        "frequency_at": frequency_at,
        "hour": hour,
        "demand_mw": demand[0]["demand_mw"] if demand else None,
        "generation_mw": generation[0]["generation_mw"] if generation else None,
        "net_export_mw": net_export[0]["net_export_mw"] if net_export else None,
    }
