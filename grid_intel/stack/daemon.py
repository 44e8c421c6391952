"""`dagster-daemon run`, with the backfill daemon's pause between iterations shortened.

Dagster's backfill daemon sleeps 30 s between iterations (a constant,
`DEFAULT_DAEMON_INTERVAL_SECONDS`, not a setting: dagster-io/dagster#11649), and each
layer of an asset backfill starts only at an iteration after its upstream runs
finished. Declarative automation emits backfills too. So every layer a run of data
passes (bronze, silver, gold, forecasts, signals) waited 15 s on average for nothing.
This entry point sets the pause before the daemon starts; the value comes from
`GRID_INTEL_BACKFILL_INTERVAL_S` (the iteration's own time counts towards it, as in
Dagster). It also starts the run launcher's warm runner beside the daemon, so the first
run after a start does not wait for the runner's imports.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence

INTERVAL_ENV = "GRID_INTEL_BACKFILL_INTERVAL_S"
DEFAULT_INTERVAL_S = 5.0


def interval(env: dict[str, str] | os._Environ[str] = os.environ) -> float:
    """The backfill daemon's pause, seconds: at least 1, so an idle daemon stays idle."""
    raw = env.get(INTERVAL_ENV, "")
    try:
        value = float(raw) if raw else DEFAULT_INTERVAL_S
    except ValueError:
        raise SystemExit(f"{INTERVAL_ENV}={raw!r} is not a number of seconds") from None
    return max(1.0, value)


def command(workspace: str, *extra: str) -> list[str]:
    """The daemon as this project runs it, for the stack, benchmarks and tests."""
    return [sys.executable, "-m", "grid_intel.stack.daemon", "run", "-w", workspace, *extra]


def shorten_backfill_pause(seconds: float) -> float:
    """Set the pause the backfill loop reads when it starts; returns the one replaced."""
    import dagster._daemon.controller as controller

    before = controller.DEFAULT_DAEMON_INTERVAL_SECONDS
    controller.DEFAULT_DAEMON_INTERVAL_SECONDS = seconds  # type: ignore[assignment]
    return before


def prestart_runner() -> threading.Thread | None:
    """Start the instance's warm runner in a thread while the daemon starts (if the
    instance uses the warm launcher). A runner that fails to start is not fatal here:
    the first launch starts one again and fails that run with the reason."""
    from dagster import DagsterInstance
    from dagster._core.secrets.env_file import get_env_var_dict

    from grid_intel import log
    from grid_intel.settings import get_settings
    from grid_intel.stack.run_launcher import WarmRunLauncher

    # The runner's environment is every run's: the `.env` that `dagster-daemon run` loads
    # from the working directory for its whole life, loaded here first.
    os.environ.update(get_env_var_dict(os.getcwd()))
    try:
        settings = get_settings()
        log.configure_at_first_record(settings.log_level, settings.log_format)
        launcher = DagsterInstance.get().run_launcher
    except Exception:  # no usable settings or instance: the daemon itself says what is wrong
        return None
    if not isinstance(launcher, WarmRunLauncher):
        return None

    def start() -> None:
        try:
            launcher.prestart()
        except Exception as exc:
            log.get("grid_intel.daemon").warning("warm runner: not started ahead", error=str(exc))

    thread = threading.Thread(target=start, name="warm-runner-prestart", daemon=True)
    thread.start()
    return thread


def main(argv: Sequence[str] | None = None) -> None:
    from dagster._daemon.cli import main as daemon_cli

    shorten_backfill_pause(interval())
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["run"]:
        prestart_runner()
    sys.argv = ["dagster-daemon", *args]
    daemon_cli()


if __name__ == "__main__":
    main()
