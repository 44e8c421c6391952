"""Logging outlives the stream it was configured under."""

from __future__ import annotations

import io
import sys

from grid_intel import log


def test_logging_writes_to_the_current_stderr_after_the_configured_one_closes(monkeypatch):
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    log.configure("INFO", "json")
    first.close()  # e.g. a CLI runner's stream, gone once the command returns
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    log.get("test").info("still logging", where="later")
    assert '"event": "still logging"' in now.getvalue() and '"where": "later"' in now.getvalue()


def test_a_deferred_configuration_applies_at_the_first_record(monkeypatch):
    """The code location defers it (no structlog import while loading); its first record
    still comes out in the configured format and level."""
    log.configure("INFO", "console")
    log.configure_at_first_record("WARNING", "json")
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    logger = log.get("test")
    try:
        logger.info("below the level")
        logger.warning("deferred", where="first record")
    finally:
        log.configure("INFO", "console")
    assert "below the level" not in out.getvalue()
    assert '"event": "deferred"' in out.getvalue() and '"level": "warning"' in out.getvalue()
