"""Dagster run launcher that starts each run as a fork of a warm runner process.

Configured in `dagster.yaml`. The daemon launches queued runs, so the runner is its
child; run workers are the runner's children and outlive both (a killed daemon leaves
its runs running, as with Dagster's default launcher). A runner whose watched files
changed since it started (code, the dbt manifest) is replaced before the next launch,
so a run never executes stale code.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dagster import Field
from dagster._core.errors import DagsterLaunchFailedError
from dagster._core.launcher import (
    CheckRunHealthResult,
    LaunchRunContext,
    RunLauncher,
    WorkerStatus,
)
from dagster._grpc.types import ExecuteRunArgs
from dagster._serdes import ConfigurableClass, ConfigurableClassData, serialize_value

from grid_intel.stack.warm_runner import READY

PID_TAG = "grid_intel/run_worker_pid"
HOST_TAG = "grid_intel/run_worker_host"


# Runners belong to the process, not to one launcher: the daemon's entry point starts one
# through a launcher of its own before the daemon's launcher exists
# (`grid_intel.stack.daemon`), and the daemon's launcher forks runs from it.
RunnerKey = tuple[str, str | None, tuple[str, ...]]
_RUNNERS: dict[RunnerKey, WarmRunner] = {}
_LOCK = threading.Lock()


def newest_change(paths: Sequence[Path]) -> float:
    """Latest modification time under `paths` (Python files of folders, files as given)."""
    newest = 0.0
    for path in paths:
        files = path.rglob("*.py") if path.is_dir() else [path] if path.exists() else []
        for f in files:
            newest = max(newest, f.stat().st_mtime)
    return newest


class WarmRunner:
    """One runner process: its pipes, and when it started."""

    def __init__(self, executable: str, cwd: str | None, preload: Sequence[str]) -> None:
        self.proc = subprocess.Popen(
            [executable, "-m", "grid_intel.stack.warm_runner", *preload],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self._line() != READY:
            self.close()
            raise DagsterLaunchFailedError(
                "the warm runner exited before it was ready: the code location failed to "
                "import in it (the traceback is in the Dagster daemon's log). Fix the import "
                "error, then launch the run again."
            )
        # From when the imports are done: under `dagster dev` importing the code location
        # re-parses the dbt project, which rewrites the watched manifest.
        self.started = time.time()
        self.forks = 0

    def _line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, args_json: str) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write(args_json + "\n")
        self.proc.stdin.flush()
        pid = self._line()
        self.forks += 1
        if not pid.isdigit():
            self.close()
            raise DagsterLaunchFailedError(
                "the warm runner stopped instead of starting the run (the Dagster daemon's "
                "log says why); launch the run again, which starts a new runner."
            )
        return int(pid)

    def close(self) -> None:
        """Stop taking runs; workers already forked go on."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class WarmRunLauncher(RunLauncher, ConfigurableClass):
    """Runs start as forks of a process that imported `preload_modules` once."""

    def __init__(
        self,
        preload_modules: Sequence[str] = (),
        watch: Sequence[str] = (),
        inst_data: ConfigurableClassData | None = None,
    ) -> None:
        self._inst_data = inst_data
        self._preload = list(preload_modules)
        self._watch = list(watch)
        super().__init__()

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict[str, Field]:
        return {
            "preload_modules": Field([str], is_required=False, default_value=[]),
            "watch": Field(
                [str],
                is_required=False,
                default_value=[],
                description="Folders and files, relative to the code location's working "
                "directory, whose change replaces the runner.",
            ),
        }

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData, config_value: dict[str, Any]
    ) -> WarmRunLauncher:
        return cls(inst_data=inst_data, **config_value)

    def _runner(self, executable: str, cwd: str | None) -> WarmRunner:
        """The runner for a code location's interpreter and folder (call under `_LOCK`)."""
        key = (executable, cwd, tuple(self._preload))
        runner = _RUNNERS.get(key)
        watched = [Path(cwd or ".") / w for w in self._watch]
        if runner and (not runner.alive() or newest_change(watched) > runner.started):
            runner.close()
            runner = None
        if runner is None:
            # A runner that never forked was started ahead for a location that turned
            # out to run elsewhere: it would only hold memory.
            for other_key, other in list(_RUNNERS.items()):
                if other.forks == 0 and other_key != key:
                    other.close()
                    del _RUNNERS[other_key]
            runner = _RUNNERS[key] = WarmRunner(executable, cwd, self._preload)
        return runner

    def prestart(self) -> None:
        """Start the runner that runs of `workspace.yaml`'s code location ask for (this
        interpreter, no working directory), before the first run: the first run after
        the daemon starts then forks too, instead of waiting for the imports (9-10 s)."""
        with _LOCK:
            self._runner(sys.executable, None)

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        origin = run.job_code_origin
        if origin is None:
            raise DagsterLaunchFailedError(f"run {run.run_id} has no code origin to load")
        args = ExecuteRunArgs(
            job_origin=origin, run_id=run.run_id, instance_ref=self._instance.get_ref()
        )
        began = time.perf_counter()
        with _LOCK:
            cwd = getattr(origin.repository_origin.code_pointer, "working_directory", None)
            runner = self._runner(origin.executable_path, cwd)
            pid = runner.fork(serialize_value(args))
        self._instance.add_run_tags(run.run_id, {PID_TAG: str(pid), HOST_TAG: socket.gethostname()})
        self._instance.report_engine_event(
            f"Run worker forked from the warm runner (pid {pid}) in "
            f"{time.perf_counter() - began:.2f} s.",
            run,
            cls=self.__class__,
        )

    def _worker_pid(self, run_id: str) -> int | None:
        run = self._instance.get_run_by_id(run_id)
        if run is None or run.tags.get(HOST_TAG) != socket.gethostname():
            return None
        pid = run.tags.get(PID_TAG)
        return int(pid) if pid else None

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            return False
        self._instance.report_run_canceling(run)
        pid = self._worker_pid(run_id)
        if pid is None:
            return False
        try:  # the worker turns SIGTERM into an orderly cancel (Dagster's capture_interrupts)
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return False
        return True

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: Any) -> CheckRunHealthResult:
        pid = self._worker_pid(run.run_id)
        if pid is None:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "no worker pid on this host")
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return CheckRunHealthResult(WorkerStatus.NOT_FOUND, f"worker {pid} is gone")
        return CheckRunHealthResult(WorkerStatus.RUNNING, run_worker_id=str(pid))

    def dispose(self) -> None:
        with _LOCK:
            for key in [k for k in _RUNNERS if k[2] == tuple(self._preload)]:
                _RUNNERS.pop(key).close()
