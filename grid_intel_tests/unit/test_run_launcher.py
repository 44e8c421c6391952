"""The warm runner's start-up and the launcher's change detection, without Dagster runs
(the e2e tier launches every run through it)."""

import os
import sys
import time
from pathlib import Path

import pytest
from dagster._core.errors import DagsterLaunchFailedError

from grid_intel.stack.run_launcher import WarmRunLauncher, WarmRunner, newest_change


def test_a_runner_is_ready_once_its_modules_are_imported():
    runner = WarmRunner(sys.executable, None, ["json"])
    try:
        assert runner.alive()
    finally:
        runner.close()
    assert not runner.alive()


def test_a_code_location_that_fails_to_import_fails_the_launch_with_what_to_do():
    with pytest.raises(DagsterLaunchFailedError, match=r"failed to import.*daemon's log"):
        WarmRunner(sys.executable, None, ["grid_intel_no_such_module"])


def test_the_newest_change_covers_python_files_in_folders_and_named_files(tmp_path: Path):
    code, manifest, other = tmp_path / "pkg", tmp_path / "manifest.json", tmp_path / "x.txt"
    code.mkdir()
    (code / "a.py").write_text("")
    for f in (manifest, other):
        f.write_text("")
    os.utime(code / "a.py", (1_000, 1_000))
    os.utime(manifest, (2_000, 2_000))
    os.utime(other, (3_000, 3_000))  # neither watched nor a Python file of a watched folder
    assert newest_change([code, manifest, tmp_path / "missing"]) == 2_000


def test_a_runner_is_replaced_when_a_watched_file_changes(tmp_path: Path):
    (tmp_path / "pkg").mkdir()
    source = tmp_path / "pkg" / "a.py"
    source.write_text("")
    os.utime(source, (time.time() - 60, time.time() - 60))
    launcher = WarmRunLauncher(preload_modules=["json"], watch=["pkg"])
    try:
        first = launcher._runner(sys.executable, str(tmp_path))
        assert launcher._runner(sys.executable, str(tmp_path)) is first
        os.utime(source, (time.time() + 1, time.time() + 1))  # edited after it started
        second = launcher._runner(sys.executable, str(tmp_path))
        assert second is not first and second.alive() and not first.alive()
    finally:
        launcher.dispose()


def test_a_prestarted_runner_takes_the_first_run_or_makes_way_for_another_location(
    tmp_path: Path,
):
    """The daemon's entry point starts the runner before any run; a run of the workspace's
    module forks from it, and a location elsewhere replaces it rather than keep both."""
    launcher = WarmRunLauncher(preload_modules=["json"])
    try:
        launcher.prestart()
        ahead = launcher._runner(sys.executable, None)
        assert ahead.alive() and ahead.forks == 0
        assert launcher._runner(sys.executable, None) is ahead  # the first run's runner
        elsewhere = launcher._runner(sys.executable, str(tmp_path))
        assert elsewhere.alive() and not ahead.alive()  # it never forked: closed
    finally:
        launcher.dispose()
    assert not elsewhere.alive()
