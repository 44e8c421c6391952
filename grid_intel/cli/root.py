"""The root command: settings and logging for every command, and what they share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from grid_intel import log
from grid_intel.settings import get_settings

if TYPE_CHECKING:
    pass

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Manitoba Grid Intelligence command line."
)


def say(message: str) -> None:
    """Progress of long work, as structured log events on stderr."""
    log.get("grid_intel").info(message)


def fail(exc: Exception) -> typer.Exit:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


KNOWN = (RuntimeError, OSError, ValueError)


@app.callback()
def _setup() -> None:
    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError: a bad setting names itself
        raise fail(exc) from None
    log.configure(settings.log_level, settings.log_format)


def utc(value: str) -> datetime:
    ts = datetime.fromisoformat(value)
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
