"""No password reaches a log line: URLs, libpq strings, and the configured connection
URLs' passwords wherever an error message quotes them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from grid_intel import log
from grid_intel.settings import get_settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://grid:hunter22@db:5432/gi", "postgresql://grid:***@db:5432/gi"),
        ("at postgresql+psycopg2://u:p@ss@db/gi now", "at postgresql+psycopg2://u:***@db/gi now"),
        ("'postgresql://u:s3cr%40t@db/gi'", "'postgresql://u:***@db/gi'"),
        ("host=db password=hunter22 dbname=gi", "host=db password=*** dbname=gi"),
        ("host=db password='a b c' dbname=gi", "host=db password=*** dbname=gi"),
        # Nothing to hide: left alone.
        ("postgresql://postgres@127.0.0.1:55432/gi", "postgresql://postgres@127.0.0.1:55432/gi"),
        ("http://127.0.0.1:58080/api/v1?who=a@b", "http://127.0.0.1:58080/api/v1?who=a@b"),
        ("grid.alerts lag 3; see ops@example.org", "grid.alerts lag 3; see ops@example.org"),
    ],
)
def test_passwords_in_urls_and_libpq_strings_are_redacted(text: str, expected: str):
    assert log.redact(text) == expected


def test_known_passwords_are_redacted_wherever_they_appear():
    """libpq quotes a malformed password on its own, with no URL around it."""
    secrets = log.url_secrets(["postgresql://gi:hunter2%ZZ@db/gi", None, "postgresql://a:b@c/d"])
    assert secrets == {"hunter2%ZZ"}  # 'b' is too short to hunt for in free text
    text = 'ProgrammingError: invalid percent-encoded token: "hunter2%ZZ"'
    assert log.redact(text, secrets) == 'ProgrammingError: invalid percent-encoded token: "***"'
    assert log.url_secrets(["postgresql://gi:p%40ssw0rd!@db/gi"]) == {"p%40ssw0rd!", "p@ssw0rd!"}


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_configured_logging_redacts_every_string_value(monkeypatch, fmt: str):
    monkeypatch.setenv("GRID_INTEL_WAREHOUSE_URL", "postgresql://gi:Tr0ub4dor&3@db:5432/gi")
    monkeypatch.setenv("GRID_INTEL_DAGSTER_PG_URL", "postgresql://dg:correct-horse@db/dagster")
    get_settings.cache_clear()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    try:
        log.configure("INFO", fmt, secrets=["webhook-signing-key"])
        log.get("test").warning(
            "cannot reach postgresql://gi:Tr0ub4dor&3@db:5432/gi",
            error='FATAL: password "correct-horse" rejected (webhook-signing-key)',
            detail={"tries": [1, "host=db password=Tr0ub4dor&3"]},
            db_password="anything",
            rows=3,
        )
    finally:
        get_settings.cache_clear()
    text = out.getvalue()
    for secret in ("Tr0ub4dor&3", "correct-horse", "webhook-signing-key", "anything"):
        assert secret not in text
    assert "cannot reach postgresql://gi:***@db:5432/gi" in text and "rows" in text


def test_a_run_process_logs_json_and_redacted(dbt_manifest):
    """A Dagster run process imports the code location, never the CLI's set-up."""
    code = (
        "import grid_intel.definitions\n"
        "from grid_intel import log\n"
        "log.get('grid_intel.ingestion').warning('cannot reach postgresql://gi:Tr0ub4dor&3@db/gi')\n"
    )
    env = {
        **os.environ,
        "GRID_INTEL_LOG_FORMAT": "json",
        "GRID_INTEL_WAREHOUSE_URL": "postgresql://gi:Tr0ub4dor&3@db:5432/gi",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    (line,) = [ln for ln in done.stderr.splitlines() if "cannot reach" in ln]
    record = json.loads(line)
    assert record["event"] == "cannot reach postgresql://gi:***@db/gi"
    assert record["level"] == "warning" and "timestamp" in record
