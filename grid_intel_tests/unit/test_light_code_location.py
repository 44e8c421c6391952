"""The code location imports only what building the definitions needs: every run process
and code server pays for `import grid_intel.definitions` before any work, so the
analytics' libraries are imported where they are used, at run time."""

import json
import subprocess
import sys

RUN_TIME_ONLY = (
    "xgboost",
    "prophet",
    "torch",
    "pyod",
    "sklearn",
    "pandas",
    "great_expectations",
    "fastapi",
    "statsforecast",
    "statsmodels",
    "dbt",  # dbt-core: its adapters, graph and node types
    "dagster_dbt",  # imports dbt-core; the dbt assets are built from the manifest
    "structlog",  # configured at the first record (grid_intel/log.py)
    "numpy",
    "scipy",
    "polars",
    "kafka",
    "confluent_kafka",
    "sqlalchemy",
    "psycopg",
)
# In a fresh interpreter: which of them the import loads, each with the innermost
# grid_intel line running when it was last looked for (a loaded module is not looked
# for again, so that is the import that loaded it).
PROBE = """
import json, sys

watched, by = set(json.loads(sys.argv[1])), {}


class Witness:
    def find_spec(self, name, path=None, target=None):
        if name in watched:
            frame = sys._getframe(1)
            while frame and not frame.f_globals.get("__name__", "").startswith("grid_intel"):
                frame = frame.f_back
            by[name] = f"{frame.f_globals['__name__']}:{frame.f_lineno}" if frame else "?"
        return None  # the usual finders import it


sys.meta_path.insert(0, Witness())
import grid_intel.definitions

print(json.dumps({m: by.get(m, "?") for m in sorted(watched) if m in sys.modules}))
"""


def test_definitions_import_no_run_time_library(dbt_manifest):
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(RUN_TIME_ONLY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert not loaded, "import grid_intel.definitions loaded " + ", ".join(
        f"{module} (imported at {where})" for module, where in loaded.items()
    )
