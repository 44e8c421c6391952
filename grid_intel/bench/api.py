"""`bench api`: the API's latency at a fixed request rate, from a second process.

A scratch warehouse gets a month of prices and daily health for the whole fleet;
`grid-intel api` serves it in its own process; `http_load` drives one endpoint at a
time at RATE requests/s over keep-alive connections, open loop. The baseline is
`/healthz` (no database) at the same rate in the same run: the gap between it and an
endpoint is the endpoint's own cost. Goal (issue 11): p99 < 50 ms at 1,000 req/s for
/prices/current and /equipment/{id}/health on 2 cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from grid_intel.bench.api_data import seed
from grid_intel.bench.database import scratch_database
from grid_intel.settings import Settings
from grid_intel.stack.background import answers
from grid_intel.stack.proc import free_port
from grid_intel.warehouse.connection import connect

Progress = Callable[[str], None]
GOAL_P99_MS = 50.0
GOAL_RPS = 1000.0
CONNECTIONS = 32


def endpoints(asset: str) -> dict[str, tuple[str, bool]]:
    """name -> (path, held to the goal)."""
    return {
        "healthz (baseline)": ("/healthz", False),
        "prices/current": ("/api/v1/prices/current?node=MHEB", True),
        "equipment/{id}/health": (f"/api/v1/equipment/{asset}/health", True),
        "anomalies": ("/api/v1/anomalies?limit=100", False),
    }


def _load(url: str, rate: float, seconds: float) -> dict[str, object]:
    args = (rate, seconds, CONNECTIONS)
    out = subprocess.run(
        [sys.executable, "-m", "grid_intel.bench.http_load", url, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=seconds * 4 + 60,
        check=True,
    )
    return json.loads(out.stdout)


def bench_api(
    settings: Settings, rate: float, seconds: float, progress: Progress
) -> dict[str, object]:
    report: dict[str, object] = {
        "benchmark": "api",
        "rate": rate,
        "seconds_per_endpoint": seconds,
        "connections": CONNECTIONS,
        "goal": f"p99 < {GOAL_P99_MS:g} ms at {GOAL_RPS:g} req/s",
        "runs": [],
    }
    with scratch_database(settings.warehouse) as url:
        progress("bench api: seeding a month of prices and fleet health")
        with connect(url) as conn:
            assets = seed(conn, datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "GRID_INTEL_WAREHOUSE_URL": url}
        env.pop("GRID_INTEL_API_WAREHOUSE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "grid_intel", "api", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            ready = answers(f"{base}/readyz")
            deadline = time.monotonic() + 60
            while not ready():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the API did not start: " + (server.stderr.read() or b"").decode()[-2000:]
                    )
                time.sleep(0.2)
            baseline = None
            for name, (path, goal) in endpoints(assets[0]).items():
                progress(f"bench api: {name} at {rate:g} req/s for {seconds:g} s")
                _load(base + path, rate, min(seconds, 2))  # warm the pool and caches
                r = _load(base + path, rate, seconds)
                baseline = baseline or r
                ok = sum(v for k, v in r["statuses"].items() if k.startswith("2"))
                run = {
                    "endpoint": name,
                    **r,
                    "errors": int(r["requests"]) - ok,
                    "p99_vs_baseline": round(float(r["p99_ms"]) / float(baseline["p99_ms"]), 2),
                    "meets_goal": (
                        (
                            float(r["p99_ms"]) < GOAL_P99_MS
                            and float(r["achieved_rps"]) >= 0.98 * GOAL_RPS
                            and ok == r["requests"]
                        )
                        if goal
                        else "-"
                    ),
                }
                run.pop("statuses")
                report["runs"].append(run)  # type: ignore[union-attr]
                progress(
                    f"bench api: {name}: {r['achieved_rps']} req/s, p50 {r['p50_ms']} ms, "
                    f"p99 {r['p99_ms']} ms"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return report
