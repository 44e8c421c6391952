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
