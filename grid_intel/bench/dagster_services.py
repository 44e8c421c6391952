"""`dagster-webserver` and Dagster's stock `dagster-daemon run`: the bench's baseline for
the stack's daemon (`grid_intel.stack.daemon`), whose backfill loop pauses 5 s between
iterations instead of 30."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from grid_intel.settings import Settings, project_root
from grid_intel.stack.dagster import daemons_up, dagster_env, webserver_answers
from grid_intel.stack.proc import Daemon, ensure_port_free

Progress = Callable[[str], None]
DEV_CLI = "DAGSTER_IS_DEV_CLI"


@contextmanager
def dagster_services(settings: Settings, progress: Progress) -> Iterator[None]:
    """Both processes on settings' Dagster port and home, stopped on the way out."""
    port = settings.dagster_port
    ensure_port_free("dagster", port, "GRID_INTEL_DAGSTER_PORT")
    env = {k: v for k, v in dagster_env(settings).items() if k != DEV_CLI}
    root, bindir = settings.state_dir / "dagster-services", Path(sys.executable).parent
    workspace = ["-w", str(project_root() / "workspace.yaml")]
    web = Daemon(root / "webserver", "dagster-webserver")
    daemon = Daemon(root / "daemon", "dagster-daemon")
    try:
        progress(f"dagster: starting dagster-webserver on http://127.0.0.1:{port}")
        cmd = [str(bindir / "dagster-webserver"), *workspace, "-h", "127.0.0.1", "-p", str(port)]
        web.launch(
            cmd,
            port=port,
            ready=lambda: webserver_answers(port),
            timeout=240,
            cwd=project_root(),
            env=env,
        )
        progress("dagster: starting dagster-daemon")
        daemon.launch(
            [str(bindir / "dagster-daemon"), "run", *workspace],
            port=0,
            ready=lambda: daemons_up(port),
            timeout=240,
            cwd=project_root(),
            env=env,
        )
        yield
    finally:
        daemon.halt(progress)
        web.halt(progress)
