"""Serve a registry's /metrics from a daemon thread, beside Python's process metrics."""

from __future__ import annotations

import errno
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

from grid_intel import log

_log = log.get("grid_intel.metrics")
STREAM_PORT_SETTING = "GRID_INTEL_STREAM_METRICS_PORT"
EXPORTER_PORT_SETTING = "GRID_INTEL_EXPORTER_PORT"


class MetricsPortInUse(RuntimeError):
    """Another program holds the metrics port; the message names the setting."""


def combined(registry: CollectorRegistry) -> CollectorRegistry:
    """The service's own metrics followed by the process, platform and GC collectors."""
    out = CollectorRegistry(auto_describe=False)
    out.register(registry)
    out.register(REGISTRY)
    return out


def serve(registry: CollectorRegistry, host: str, port: int, setting: str) -> WSGIServer:
    """Start serving `registry` at http://host:port/metrics; stop with `.shutdown()`."""
    try:
        server, _ = start_http_server(port, addr=host, registry=combined(registry))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            off = " (or 0 to serve none)" if setting == STREAM_PORT_SETTING else ""
            raise MetricsPortInUse(
                f"port {port} on {host} is taken, so /metrics cannot be served there: "
                f"set {setting} to a free port{off}"
            ) from exc
        raise
    _log.info("serving metrics", url=f"http://{host}:{port}/metrics")
    return server


def serve_optional(registry: CollectorRegistry, host: str, port: int, setting: str) -> bool:
    """Serve /metrics unless `port` is 0; a taken port is a warning, not a failure (a
    second processor scaled out on the same host keeps working, unscraped)."""
    if port == 0:
        return False
    try:
        serve(registry, host, port, setting)
    except MetricsPortInUse as exc:
        _log.warning("metrics not served", reason=str(exc))
        return False
    return True
