"""SQL injection through every parameter of the live API.

Each parameter the OpenAPI spec declares (query and path), the X-API-Key header and
the subscription body's strings get classic injection payloads, unicode look-alikes,
NUL bytes, LIKE wildcards and very long strings. The answer must be a 4xx or a
normal empty answer: never a 5xx, never a row that was not asked for, never a
stalled query; afterwards every table still holds what was seeded.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import psycopg
import pytest

from grid_intel.api.app import create_app
from grid_intel.api.auth import create_key
from grid_intel.settings import Settings
from grid_intel.warehouse.connection import connect
from grid_intel_tests.api_server import serving
from grid_intel_tests.conftest import fresh_warehouse
from grid_intel_tests.integration.test_api_data import seed

PAYLOADS = [
    "' or 1=1--",
    "' OR '1'='1",
    '" or ""="',
    "radisson_t1' --",
    "radisson_t1' or 'a'='a",
    "'; drop table gold.equipment_health;--",
    "1) union select asset, null, null from gold.equipment_health--",
    "1 union all select key_hash from ops.api_keys--",
    "1; select pg_sleep(3)--",
    "'||(select pg_sleep(3))||'",
    "$$; drop table gold.anomaly_events; $$",
    "\\'; drop table ops.api_keys;--",
    "%27%20or%201%3D1--",  # double-encoded
    "\u02bc or 1=1--",  # modifier letter apostrophe
    "\uff07 or 1=1--",  # fullwidth apostrophe
    "radisson_t1\u202e",  # right-to-left override
    "😀' or 1=1--",
    "\x00",
    "radisson_t1\x00' or 1=1--",
    "%",
    "radisson_t_",  # LIKE wildcards: must not widen a match
    "radisson%",
    "*",
    "x" * 8_000,
    "' or 1=1--" * 3_000,  # 30 kB
]
SLEEP_S = 3.0  # what the pg_sleep payloads would cost if they ran
# A valid value per parameter: the request is well formed, and one value away from a payload.
VALID = {
    "region": "north",
    "horizon": "1h",
    "quantiles": "0.5",
    "start": "2025-01-14T00:00:00Z",
    "end": "2025-01-16T00:00:00Z",
    "kind": "spike",
    "asset": "radisson_t1",
    "asset_id": "radisson_t1",
    "node": "MINN.HUB",
    "limit": "2",
    "offset": "0",
    "days": "2",
    "subscription_id": "00000000-0000-4000-8000-000000000000",
}
SPEC = create_app().openapi()["paths"]
PARAMS = [
    (method.upper(), path, p["name"], p["in"])
    for path, ops in SPEC.items()
    for method, op in ops.items()
    for p in op.get("parameters", [])
]
# The tables the endpoints read and the ones an attacker would want.
TABLES = [
    "gold.demand_forecasts",
    "gold.demand_hourly",
    "gold.equipment_health",
    "gold.equipment_health_heatmap",
    "silver.market_prices",
    "gold.price_signals",
    "gold.carbon_intensity",
    "gold.carbon_forecast",
    "gold.generation_mix_hourly",
    "gold.interchange_hourly",
    "gold.live_aggregates",
    "gold.anomaly_events",
    "ops.api_keys",
]


def counts(settings: Settings) -> dict[str, int]:
    with connect(settings.warehouse) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def warehouse(stack: Settings) -> Iterator[Settings]:
    for settings in fresh_warehouse(stack, "grid_intel_api_injection"):
        seed(settings)
        yield settings


@pytest.fixture(scope="module")
def key(warehouse: Settings) -> str:
    with connect(warehouse.warehouse) as conn:
        return create_key(conn, "injection tests")


@pytest.fixture(scope="module")
def seeded(warehouse: Settings) -> dict[str, int]:
    """Row counts before any payload was sent."""
    return counts(warehouse)


@pytest.fixture(scope="module")
def api(warehouse: Settings, key: str, seeded: dict[str, int]) -> Iterator[httpx.Client]:
    with (
        serving(warehouse) as base,
        httpx.Client(base_url=base, timeout=30, headers={"X-API-Key": key}) as client,
    ):
        yield client


def call(
    client: httpx.Client, method: str, path: str, name: str, where: str, value: str
) -> tuple[httpx.Response, float]:
    params = {
        p["name"]: VALID[p["name"]]
        for p in SPEC[path][method.lower()].get("parameters", [])
        if p["in"] == "query" and p["name"] != name
    }
    url = path
    for p in SPEC[path][method.lower()].get("parameters", []):
        if p["in"] == "path":
            url = url.replace(
                "{" + p["name"] + "}", quote(value if p["name"] == name else VALID[p["name"]], "")
            )
    if where == "query":
        params[name] = value
    t0 = time.monotonic()
    response = client.request(method, url, params=params)
    return response, time.monotonic() - t0


def no_rows_asked_for(body: Any) -> bool:
    """A normal answer to a question nothing matches: empty lists, null values."""
    if isinstance(body, dict):
        items = body.get("items")
        return items == [] if items is not None else all(v is None for v in body.values())
    return body == []


def test_every_parameter_has_a_valid_example():
    assert {name for _, _, name, _ in PARAMS} == set(VALID)
    assert ("GET", "/api/v1/equipment/{asset_id}/health", "asset_id", "path") in PARAMS


@pytest.mark.parametrize(
    ("method", "path", "name", "where"), PARAMS, ids=[f"{m} {p} {n}" for m, p, n, _ in PARAMS]
)
def test_injection_through_each_parameter_is_refused(api, method, path, name, where):
    valid, _ = call(api, method, path, name, where, VALID[name])
    assert valid.status_code in (200, 404), valid.text  # the request is well formed
    for payload in PAYLOADS:
        r, seconds = call(api, method, path, name, where, payload)
        shown = repr(payload[:40])
        assert r.status_code < 500, f"{shown}: {r.status_code} {r.text[:300]}"
        assert seconds < SLEEP_S, f"{shown} took {seconds:.1f}s: did it reach SQL?"
        if r.status_code == 200:
            assert no_rows_asked_for(r.json()), f"{shown} answered rows: {r.text[:300]}"
        else:
            assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith(
                "application/json"
            ), f"{shown}: {r.status_code} {r.text[:300]}"


def test_injection_through_the_api_key_header_is_refused(api):
    for payload in PAYLOADS:
        for key in (payload, f"gi_{payload}_x", f"gi_x_{payload}"):
            raw = key.encode()
            if any(b < 32 or b == 127 for b in raw):
                continue  # HTTP itself cannot carry these in a header
            r = api.get("/api/v1/alerts/subscriptions", headers={"X-API-Key": raw})
            assert r.status_code == 403, f"{key[:40]!r}: {r.status_code} {r.text[:200]}"


@pytest.mark.parametrize("field", ["url", "asset", "kind"])
def test_injection_through_the_subscription_body_is_stored_as_text_or_refused(
    api, warehouse: Settings, field: str
):
    """Strings in the body are data: refused (422), or stored exactly as sent."""
    for payload in PAYLOADS:
        body = {"url": "http://127.0.0.1:9/hook"} | {field: payload}
        r = api.post("/api/v1/alerts/subscribe", json=body)
        shown = repr(payload[:40])
        assert r.status_code in (201, 422), f"{shown}: {r.status_code} {r.text[:300]}"
        if r.status_code == 201:
            created = r.json()
            with psycopg.connect(warehouse.warehouse) as conn:
                stored = conn.execute(
                    f"select {field} from ops.alert_subscriptions where id = %s",
                    (created["id"],),
                ).fetchone()
            assert stored == (payload,), shown
            deleted = api.delete(f"/api/v1/alerts/subscriptions/{created['id']}")
            assert deleted.status_code == 204
    # The key sees only its own subscriptions, all of which it deleted.
    assert api.get("/api/v1/alerts/subscriptions").json() == []


def test_unknown_asset_ids_that_look_like_sql_are_404_or_422(api):
    """A well-formed id that matches nothing is a normal 404, not someone else's rows."""
    for asset in ("radisson_t1.or.1", "1-1", "radisson_t1--", "union.select"):
        r = api.get(f"/api/v1/equipment/{asset}/health")
        assert r.status_code == 404 and asset in r.json()["error"]
    mine = api.get("/api/v1/anomalies", params={"asset": "radisson_t1.or.1"})
    assert mine.status_code == 200 and mine.json()["items"] == []
    uid = str(uuid.uuid4())
    assert api.delete(f"/api/v1/alerts/subscriptions/{uid}").status_code == 404


def test_every_table_is_intact_afterwards(api, warehouse: Settings, seeded: dict[str, int]):
    """Runs last: after all the payloads above, every table and every row is still there."""
    assert counts(warehouse) == seeded
    with connect(warehouse.warehouse) as conn:
        active = conn.execute(
            "select count(*) from ops.alert_subscriptions where deleted_at is null"
        ).fetchone()
    assert active == (0,)
