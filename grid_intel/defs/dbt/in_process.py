"""`dbt build` inside the run's process instead of a subprocess per invocation.

A dbt subprocess pays an interpreter start and dbt-core's imports (about 2 s here) before
its first event, twice per hourly run (silver, then gold). Runs fork from a process that
has dbt imported (`grid_intel.stack.warm_runner`), so running dbt through its Python API
(`dbtRunner`) costs only the work. dagster-dbt still turns dbt's events into Dagster's:
this invocation hands it the same structured events the subprocess printed as JSON.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster._core.errors import DagsterExecutionInterruptedError
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

_DONE = object()


def dbt_args(
    command: Sequence[str],
    project_dir: Path,
    target_path: Path,
    profiles_dir: str | None,
    console: str = "none",
) -> list[str]:
    """`dbt <command>` with the settings dagster-dbt gives its subprocess in the
    environment, as flags: this process's environment is the run's, not dbt's. In this
    process the console stays silent (`none`): the events reach Dagster through the
    callback. A subprocess prints them (`json`) for dagster-dbt to read. dbt's debug log
    is written to the run's target folder either way."""
    console_flags = ("--log-level", "none") if console == "none" else ("--log-format", console)
    return [
        "dbt",
        *command,
        *("--project-dir", str(project_dir), "--target-path", str(target_path)),
        *("--log-path", str(target_path), *console_flags),
        *(("--profiles-dir", profiles_dir) if profiles_dir else ()),
        "--no-send-anonymous-usage-stats",
    ]


@dataclass
class DbtThread:
    """What dagster-dbt reads of the process it would have started: the command line, the
    exit code, a wait; dbt itself runs in a thread so its events stream as they happen."""

    args: list[str]
    returncode: int | None = None
    events: queue.SimpleQueue = field(default_factory=queue.SimpleQueue)
    thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start dbt once; False if it already ran (dagster-dbt reads the stream twice)."""
        if self.thread is not None:
            return False
        self.thread = threading.Thread(target=self._run, name="dbt", daemon=True)
        self.thread.start()
        return True

    def _run(self) -> None:
        from dbt.cli.main import dbtRunner

        try:
            result = dbtRunner(callbacks=[self.events.put]).invoke(self.args[1:])
            if result.exception is not None:
                self.events.put(
                    f"dbt failed: {type(result.exception).__name__}: {result.exception}"
                )
            self.returncode = 0 if result.success else (2 if result.exception else 1)
        except BaseException as exc:
            self.events.put(f"dbt failed: {type(exc).__name__}: {exc}")
            self.returncode = 2
        finally:
            self.events.put(_DONE)

    def wait(self, timeout: float | None = None) -> int | None:
        if self.thread is not None:
            self.thread.join(timeout)
        return self.returncode

    def send_signal(self, _signal: int) -> None:
        """dbt in a thread cannot be signalled: cancel its open queries so it ends soon;
        the transaction of a model cut short rolls back."""
        from dbt.adapters.factory import FACTORY

        for adapter in list(FACTORY.adapters.values()):
            adapter.cancel_open_connections()


def event_dict(msg: Any) -> dict[str, Any] | None:
    """dbt's event as the JSON line `--log-format json` prints, or None for debug events
    (the subprocess's console, at its default level, printed none of those)."""
    from dbt_common.events.functions import msg_to_dict

    if msg.info.level == "debug":
        return None
    return msg_to_dict(msg)


class InProcessDbtInvocation(DbtCliInvocation):
    """A `DbtCliInvocation` whose events come from `DbtThread` rather than a pipe."""

    process: DbtThread  # type: ignore[assignment]

    def _stream_stdout(self) -> Iterator[str | dict[str, Any]]:
        if not self.process.start():
            return
        try:
            while (msg := self.process.events.get()) is not _DONE:
                if isinstance(msg, str):
                    self._error_messages.append(msg)
                    yield msg
                    continue
                event = event_dict(msg)
                if event is None:
                    continue
                if event["info"]["level"] == "error":
                    self._error_messages.append(event["info"]["msg"])
                yield event
        except DagsterExecutionInterruptedError:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(self.termination_timeout_seconds)
            raise
        self.process.wait()
