"""Structured logging for every entry point (CLI, services, Dagster code)."""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any
from urllib.parse import unquote, urlsplit

from grid_intel.settings import REDACTED
from grid_intel.settings import redact as redact_urls

# libpq's keyword form: `host=h password=secret dbname=d`.
_KEYWORD_PASSWORD = re.compile(r"(?i)\b(password\s*=\s*)('[^']*'|[^\s'\"]+)")
_SECRET_KEY = re.compile(r"(?i)(?:^|_)(?:password|passwd|secret|token|api_key)$")
# Known passwords are replaced wherever they appear (libpq quotes a malformed one in its
# error, with no URL around it); shorter ones would mangle ordinary words in the logs.
MIN_SECRET_CHARS = 6


class _CurrentStderr:
    """Writes to whatever sys.stderr is at each record: a stream swapped in while
    `configure` ran (a CLI runner's, a test's capture) may be closed by the time a
    long-lived thread logs, and must not take that thread down."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with URL and libpq passwords, and each of `secrets`, replaced by ***."""
    text = redact_urls(text)
    text = _KEYWORD_PASSWORD.sub(rf"\1{REDACTED}", text)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def url_secrets(urls: Iterable[str | None]) -> set[str]:
    """The passwords in connection URLs (as written and percent-decoded)."""
    found: set[str] = set()
    for url in urls:
        password = urlsplit(url).password if url else None
        if password:
            found |= {password, unquote(password)}
    return {s for s in found if len(s) >= MIN_SECRET_CHARS}


class RedactSecrets:
    """A structlog processor: no password reaches a log line, in any string value,
    nested ones included; values of keys named like a secret are dropped whole."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted(set(secrets), key=len, reverse=True)  # longest first

    def __call__(
        self, logger: object, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key, value in event.items():
            if _SECRET_KEY.search(key) and value is not None:
                event[key] = REDACTED
            else:
                event[key] = self._clean(value)
        return event

    def _clean(self, value: object) -> object:
        if isinstance(value, str):
            return redact(value, self.secrets)
        if isinstance(value, dict):
            return {k: self._clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._clean(v) for v in value)
        return value


def _configured_secrets() -> set[str]:
    """The passwords in the platform's connection settings (env or .env)."""
    from grid_intel.settings import get_settings

    try:
        s = get_settings()
    except Exception:  # invalid settings fail elsewhere, with their own message
        return set()
    return url_secrets([s.warehouse_url, s.api_warehouse_url, s.dagster_pg_url])


# The settings `configure_at_first_record` keeps until a logger is first used; the lock
# makes a second thread's first record wait until they are applied.
_deferred: tuple[str, str] | None = None
_configuring = threading.RLock()


def configure_at_first_record(level: str, fmt: str) -> None:
    """`configure(level, fmt)` when a logger is first used, not now: the code location
    logs nothing while it loads, and importing structlog (with rich, its console's
    pretty-printer) was a tenth of every load."""
    global _deferred
    _deferred = (level, fmt)


def configure(level: str = "INFO", fmt: str = "console", secrets: Iterable[str] = ()) -> None:
    """Route stdlib and structlog records through one renderer on stderr.

    Passwords are redacted: those in URLs and libpq strings, the configured
    connection URLs' wherever they appear, and `secrets`.
    """
    global _deferred
    import structlog

    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            RedactSecrets({*_configured_secrets(), *secrets}),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),
        cache_logger_on_first_use=False,
    )
    _deferred = None


class _Logger:
    """structlog's logger `name`, imported (and configured, if that was deferred) at its
    first use."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, attr: str) -> Any:
        if _deferred is not None:
            with _configuring:
                if _deferred is not None:
                    configure(*_deferred)
        if self._logger is None:
            import structlog

            # structlog's lazy proxy: it follows any later `configure`.
            self._logger = structlog.get_logger(self._name)
        return getattr(self._logger, attr)


def get(name: str) -> Any:
    return _Logger(name)
