"""The API process on the real warehouse, as its read-only role."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from grid_intel.settings import Settings
from grid_intel_tests.api_server import serving


def test_ready_as_the_read_only_role_which_cannot_write(test_db: Settings):
    with serving(test_db) as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
        spec = httpx.get(f"{base}/openapi.json").json()
        assert spec["info"]["title"] == "Manitoba Grid Intelligence API"
    with psycopg.connect(test_db.api_warehouse) as conn:
        assert conn.execute("select current_user").fetchone() == ("grid_intel_api",)
        conn.execute("select count(*) from gold.carbon_intensity")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("delete from gold.carbon_intensity")


def test_not_ready_when_the_warehouse_is_unreachable(test_db: Settings):
    broken = test_db.model_copy(
        update={"api_warehouse_url": "postgresql://grid_intel_api@127.0.0.1:1/none"}
    )
    from fastapi.testclient import TestClient

    from grid_intel.api.app import create_app

    with TestClient(create_app(broken)) as client:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["status"] == "unavailable"
