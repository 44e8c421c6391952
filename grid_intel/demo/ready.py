""" "Ready" means every dashboard panel and product endpoint holds data, asked of the API
the way the dashboard asks it (not of the warehouse behind it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

V1 = "/api/v1"


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str


def _items(body: Any) -> int:
    return len(body.get("items") or []) if isinstance(body, dict) else 0


def judge(name: str, status: int, body: Any) -> Finding:
    """What one endpoint's answer shows (pure: the unit tests feed it answers)."""
    if status != 200:
        reason = body.get("detail") if isinstance(body, dict) else None
        return Finding(name, False, f"HTTP {status}" + (f": {reason}" if reason else ""))
    n = _items(body)
    if name == "prices/current":
        have = [k for k in ("day_ahead", "real_time") if body.get(k)]
        return Finding(name, len(have) == 2, f"{' and '.join(have) or 'no'} interval in effect")
    if name.startswith("equipment/") and name != "equipment/health":
        days = len(body.get("history") or [])
        return Finding(name, days > 0, f"{days} days assessed")
    if name == "carbon/intensity":
        forecast = _items(body.get("forecast") or {})
        return Finding(name, n > 0 and forecast > 0, f"{n} hours, a forecast of {forecast} points")
    issued = f", issued {body['issued_at']}" if body.get("issued_at") else ""
    return Finding(name, n > 0, f"{n} items{issued}")


Get = Callable[[str], tuple[int, Any]]


def http_get(base: str, timeout: float = 30.0) -> Get:
    def get(path: str) -> tuple[int, Any]:
        r = httpx.get(f"{base}{path}", timeout=timeout)
        try:
            return r.status_code, r.json()
        except ValueError:
            return r.status_code, r.text

    return get


def findings(get: Get) -> list[Finding]:
    """Every product endpoint and every panel's source, as the dashboard calls them."""
    out = [
        judge(name, *get(f"{V1}/{path}"))
        for name, path in (
            ("demand/actual", "demand/actual"),
            ("demand/forecast", "demand/forecast?horizon=24h"),
            ("generation/mix", "generation/mix"),
            ("prices/current", "prices/current"),
            ("prices/signals", "prices/signals"),
            ("carbon/intensity", "carbon/intensity"),
            ("anomalies", "anomalies?limit=50"),
            ("equipment/health", "equipment/health?limit=1"),
        )
    ]
    status, fleet = get(f"{V1}/equipment/health?limit=1")
    worst = (fleet.get("items") or [{}])[0].get("asset") if status == 200 else None
    if worst is None:
        out.append(Finding("equipment/{id}/health", False, "no asset assessed"))
    else:
        out.append(judge(f"equipment/{worst}/health", *get(f"{V1}/equipment/{worst}/health")))
    return out
