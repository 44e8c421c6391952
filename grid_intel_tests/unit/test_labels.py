from datetime import UTC, datetime, timedelta

import orjson

from grid_intel.simulation.faults import KINDS
from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.labels import write_jsonl

START = datetime(2026, 2, 3, tzinfo=UTC)


def test_labels_file_holds_every_fault_with_its_window(tmp_path):
    feeds = Feeds(seed=5, faults=KINDS, faults_per_day=4)
    labels = feeds.faults(START, START + timedelta(days=8))
    path = tmp_path / "labels" / "faults.jsonl"
    assert write_jsonl(path, 5, labels) == len(labels)
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert len(rows) == len(labels)
    assert {r["kind"] for r in rows} >= set(KINDS) | {"frequency_excursion"}
    for r in rows:
        assert r["seed"] == 5 and r["start"] < r["end"] and r["asset"]
