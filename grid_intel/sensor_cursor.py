"""Versioned JSON sensor cursors: one place that writes them and reads them back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


class CursorError(ValueError):
    """A stored cursor that this code cannot read; the text says how to reset it."""


def dump(version: int, body: dict[str, Any]) -> str:
    return orjson.dumps({"v": version, **body}).decode()


def load(text: str, version: int, build: Callable[[dict[str, Any]], T], on_reset: str) -> T:
    """`build` the cursor from its JSON; anything unreadable is a `CursorError` saying
    to reset the sensor and what the sensor then does (`on_reset`)."""
    try:
        obj = orjson.loads(text)
        if not isinstance(obj, dict) or obj.get("v") != version:
            found = obj.get("v") if isinstance(obj, dict) else obj
            raise CursorError(f"cursor version {found!r} is not {version}")
        return build(obj)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CursorError(
            f"unreadable sensor cursor ({exc}); reset it from the sensor's page in the "
            f"Dagster UI, and {on_reset}"
        ) from exc
