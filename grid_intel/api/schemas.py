"""The REST API's response models: what each endpoint returns, typed so the OpenAPI
spec is exact and times always serialize as UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


Utc = Annotated[datetime, AfterValidator(_utc)]
T = TypeVar("T")


class ErrorBody(BaseModel):
    error: str


class Problem(BaseModel):
    where: str
    problem: str


class InvalidBody(BaseModel):
    error: str
    detail: list[Problem]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page; null on the last")


class ForecastPoint(BaseModel):
    ts: Utc
    yhat: float
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None


class DemandForecast(BaseModel):
    region: str
    horizon: str
    issued_at: Utc
    model: str
    items: list[ForecastPoint]


class IssuedPoint(ForecastPoint):
    issued_at: Utc
    model: str


class DemandForecastIssued(BaseModel):
    region: str
    horizon: str
    lead_hours: float = Field(description="Each point is the freshest forecast this much older")
    start: Utc
    end: Utc
    items: list[IssuedPoint]


class DayAccuracy(BaseModel):
    day: Utc
    points: int
    mape_pct: float | None


class HorizonAccuracy(BaseModel):
    horizon: str
    points: int = Field(description="Forecast targets scored against actuals in the window")
    mape_pct: float | None
    mae_mw: float | None
    coverage: float | None = Field(description="Share of actuals inside p10-p90")
    daily: list[DayAccuracy]


class ForecastAccuracy(BaseModel):
    region: str
    days: int
    start: Utc
    end: Utc
    horizons: list[HorizonAccuracy]


class DemandHour(BaseModel):
    hour: Utc
    demand_mw: float | None


class DemandActual(BaseModel):
    region: str
    start: Utc
    end: Utc
    items: list[DemandHour]


class HeatmapCell(BaseModel):
    day: Utc
    asset: str
    asset_kind: str
    region: str | None
    health_index: float
    band: str
    change_1d: float | None
    fleet_percentile: float


class Assessment(BaseModel):
    day: Utc
    health_index: float
    band: str
    worst_factor: str
    cnaim_health_score: float
    failure_probability: float
    rul_years: float | None
    rul_low_years: float | None
    rul_high_years: float | None
    factors: dict[str, Any]
    diagnosis: dict[str, Any]


class HealthDay(BaseModel):
    day: Utc
    health_index: float
    band: str
    failure_probability: float
    rul_years: float | None


class AssetHealth(BaseModel):
    asset: str
    asset_kind: str
    substation: str | None
    region: str | None
    latest: Assessment
    history: list[HealthDay] = Field(description="Newest first")


class PriceInterval(BaseModel):
    interval_start: Utc
    interval_end: Utc
    lmp: float | None
    energy: float | None
    congestion: float | None
    loss: float | None


class CurrentPrices(BaseModel):
    node: str
    day_ahead: PriceInterval | None
    real_time: PriceInterval | None


class PriceSignal(BaseModel):
    hour: Utc
    location: str
    action: Literal["export", "import", "hold"]
    quantity_mw: float
    lmp_p10: float
    lmp_p50: float
    lmp_p90: float
    marginal_cost: float
    expected_value_usd: float
    confidence: float
    load_mw: float
    load_source: str
    reason: str


class PriceSignals(BaseModel):
    issued_at: Utc
    items: list[PriceSignal]


class CarbonHour(BaseModel):
    hour: Utc
    production_g_kwh: float | None
    consumption_g_kwh: float | None
    generation_mwh: float
    imports_mwh: float
    exports_mwh: float
    emissions_t: float


class CarbonForecast(BaseModel):
    issued_at: Utc
    model: str
    items: list[ForecastPoint]


class CarbonIntensity(BaseModel):
    start: Utc
    end: Utc
    items: list[CarbonHour]
    forecast: CarbonForecast | None


class MixHour(BaseModel):
    hour: Utc
    fuel: str
    generation_mw: float | None
    stations: int
    share_pct: float | None


class GenerationMix(BaseModel):
    start: Utc
    end: Utc
    items: list[MixHour]


class AnomalyEvent(BaseModel):
    hour: Utc
    asset: str
    kind: str
    start_ts: Utc
    end_ts: Utc
    severity: float
    detected_at: Utc | None
    evidence: dict[str, Any]


class GridStatus(BaseModel):
    as_of: Utc | None = Field(description="The newest timestamp behind any field")
    frequency_hz: float | None
    frequency_at: Utc | None
    hour: Utc | None = Field(description="The newest gold hour with demand")
    demand_mw: float | None
    generation_mw: float | None
    net_export_mw: float | None = Field(description="Positive out of Manitoba")
