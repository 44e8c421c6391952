"""`grid-intel api-key create | revoke` on the real warehouse."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from grid_intel.settings import Settings
from grid_intel_tests.api_server import serving


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRID_INTEL_WAREHOUSE_URL": settings.warehouse}
    return subprocess.run(
        [sys.executable, "-m", "grid_intel", "api-key", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_a_minted_key_works_until_revoked(test_db: Settings):
    made = cli(test_db, "create", "ops-team")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("gi_") and "only its hash is kept" in made.stderr
    with serving(test_db) as base:
        url = f"{base}/api/v1/alerts/subscriptions"
        assert httpx.get(url, headers={"X-API-Key": key}).status_code == 200
        assert cli(test_db, "revoke", key).returncode == 0
        assert httpx.get(url, headers={"X-API-Key": key}).status_code == 403
    again = cli(test_db, "revoke", key)
    assert again.returncode == 1 and "no active API key" in again.stderr
