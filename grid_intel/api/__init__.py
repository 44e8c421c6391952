"""The serving layer: REST API, WebSocket stream, alert subscriptions and dashboard."""

from grid_intel.api.app import create_app

__all__ = ["create_app"]
