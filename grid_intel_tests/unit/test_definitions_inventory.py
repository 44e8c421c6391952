"""What the code location defines, against a recorded inventory: moving wiring between
files must keep every asset (with its lineage and partitioning), check, job, schedule
and sensor. After an intended change, record it again with
`.venv/bin/python -m grid_intel_tests.unit.test_definitions_inventory` and review the diff."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

RECORDED = Path(__file__).with_name("definitions_inventory.json")


def inventory(defs: dg.Definitions) -> dict[str, object]:
    graph = defs.resolve_asset_graph()
    repo = defs.get_repository_def()
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        partitions = node.partitions_def
        assets[key.to_user_string()] = {
            "parents": sorted(p.to_user_string() for p in node.parent_keys),
            "partitions": type(partitions).__name__ if partitions else None,
            "group": node.group_name,
            "materializable": node.is_materializable,
        }
    return {
        "assets": assets,
        "checks": sorted(
            f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys
        ),
        "jobs": sorted(j.name for j in repo.get_all_jobs()),
        "schedules": sorted(f"{s.name} {s.cron_schedule}" for s in repo.schedule_defs),
        "sensors": sorted(s.name for s in repo.sensor_defs),
    }


def current() -> dict[str, object]:
    from grid_intel.definitions import defs

    return json.loads(json.dumps(inventory(defs)))


def test_the_code_location_defines_what_was_recorded(dbt_manifest):
    recorded, now = json.loads(RECORDED.read_text()), current()
    for part in ("assets", "checks", "jobs", "schedules", "sensors"):
        was, is_ = recorded[part], now[part]
        if isinstance(was, dict):
            lost = sorted(set(was) - set(is_))
            added = sorted(set(is_) - set(was))
            changed = sorted(k for k in set(was) & set(is_) if was[k] != is_[k])
        else:
            lost, added, changed = sorted(set(was) - set(is_)), sorted(set(is_) - set(was)), []
        assert not (lost or added or changed), (
            f"{part}: lost {lost}, added {added}, changed {changed}"
        )


if __name__ == "__main__":
    RECORDED.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n")
    print(f"recorded {RECORDED}")
