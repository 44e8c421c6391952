"""A process that imports the code location once and forks one run worker per run.

Dagster's code server spawns a fresh interpreter per run, which imports Dagster, the
code location and Great Expectations again: 10-20 s of a run on two cores, for work
that often takes under a second. A child forked from a process that has them imported
starts its run in milliseconds. The preloaded modules must start no thread and open no
connection at import (a fork copies neither safely); `grid_intel.definitions` does
neither, and a unit test keeps the heavy ones out of it.

Protocol (one line each way): the launcher writes a serialized `ExecuteRunArgs`, the
runner answers the worker's pid. Anything else the runner or its workers print goes
to stderr, the daemon's log.

    python -m grid_intel.stack.warm_runner MODULE [MODULE ...]
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import traceback
from typing import IO

READY = "ready"


def execute(args_json: str) -> int:
    """Run one Dagster run in this process, as `dagster api execute_run` would."""
    from dagster._cli.api import execute_run_command

    try:
        execute_run_command.callback(args_json, None)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def worker(args_json: str) -> None:
    """The forked child: a run, then exit without running the parent's exit handlers."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the run waits on dbt's subprocess
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        code = execute(args_json)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(preload: list[str], requests: IO[str], replies: IO[str]) -> None:
    for module in preload:
        importlib.import_module(module)
    replies.write(f"{READY}\n")
    replies.flush()
    # Workers outlive this process if it ends (the daemon stopped); the kernel reaps them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in requests:
        pid = os.fork()
        if pid == 0:
            replies.close()
            worker(line.strip())
        replies.write(f"{pid}\n")
        replies.flush()


def main() -> None:
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # prints of runs and imports go to the log, never into the protocol
    serve(sys.argv[1:], sys.stdin, replies)


if __name__ == "__main__":
    main()
