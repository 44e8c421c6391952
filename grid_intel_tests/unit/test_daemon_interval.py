"""The daemon entry point's shorter pause between backfill iterations."""

import logging
import time

import pytest

from grid_intel.stack.daemon import (
    DEFAULT_INTERVAL_S,
    INTERVAL_ENV,
    command,
    interval,
    shorten_backfill_pause,
)


class Pauses:
    """Stands in for the daemon's shutdown event: records how long each pause asks for."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.asked.append(seconds)
        return False


def first_pause() -> float:
    from dagster._daemon.backfill import execute_backfill_iteration_loop

    quiet = logging.getLogger("backfill-pause-test")
    quiet.propagate, quiet.disabled = False, True  # the stub context's error is expected
    pauses = Pauses()
    for _ in execute_backfill_iteration_loop(None, quiet, pauses, until=time.time() + 60):
        if pauses.asked:
            return pauses.asked[0]
    raise AssertionError("the backfill loop ended without pausing")


def test_the_backfill_loop_pauses_as_long_as_the_entry_point_says():
    """Dagster's loop reads its pause from a module constant when it starts (30 s, not a
    setting); the entry point's value must be the one it uses."""
    assert first_pause() > 25  # Dagster's own, iteration time taken off
    before = shorten_backfill_pause(5.0)
    try:
        assert 4 < first_pause() <= 5
    finally:
        shorten_backfill_pause(before)


@pytest.mark.parametrize(
    ("raw", "seconds"), [(None, DEFAULT_INTERVAL_S), ("2.5", 2.5), ("0", 1.0), ("30", 30.0)]
)
def test_the_pause_comes_from_the_environment(raw, seconds):
    assert interval({} if raw is None else {INTERVAL_ENV: raw}) == seconds


def test_a_pause_that_is_not_a_number_says_which_variable():
    with pytest.raises(SystemExit, match=INTERVAL_ENV):
        interval({INTERVAL_ENV: "soon"})


def test_the_command_runs_this_entry_point():
    assert command("/w.yaml")[1:] == ["-m", "grid_intel.stack.daemon", "run", "-w", "/w.yaml"]
