"""Debian's Chromium driven by Playwright, for the dashboard and the Dagster UI tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from grid_intel.settings import Settings

CHROMIUM = "/usr/bin/chromium"
# As the machine notes prescribe: no GPU, no sandbox (root), and none of Chromium's
# own network traffic, which this machine's closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launched() -> Iterator[Browser]:
    """A headless browser for a test module (use as a fixture body)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bash infra/dev.sh setup (installs chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def keep_screenshot(settings: Settings, shot: Path) -> Path:
    """Copy a screenshot to the state's artifacts folder for a human to look at; check it."""
    artifacts = settings.state_dir / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    kept = Path(shutil.copy(shot, artifacts / shot.name))
    print(f"screenshot: {kept}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000, "the screenshot is nearly blank"
    return kept
