"""The suite's pure parts: figures beside baselines, growth vs 1x, tables, machine facts."""

from pathlib import Path

import pytest

from grid_intel.bench.dbt_partition import hour_ctas_sql
from grid_intel.bench.machine import cpu_model, git_commit, kafka_version, ram_gib
from grid_intel.bench.suite import SCALES, STEPS
from grid_intel.bench.summary import (
    FIGURES,
    Figure,
    ScalePoint,
    figures,
    growth,
    number,
    scaling_table,
    summary_table,
)


def test_ingest_figures_are_value_over_baseline_per_scale():
    report = {
        "benchmark": "ingest",
        "runs": [
            {"scale": 1, "ingest_readings_per_s": 100_000, "raw_copy_readings_per_s": 400_000},
            {"scale": 4, "ingest_readings_per_s": 90_000, "raw_copy_readings_per_s": 300_000},
        ],
    }
    figs = figures(report)
    assert [(f.figure, f.ratio) for f in figs] == [
        ("Kafka into bronze x1", 0.25),
        ("Kafka into bronze x4", 0.3),
    ]
    assert figs[0].baseline_is == "raw binary COPY" and figs[0].unit == "readings/s"


def test_stream_gives_throughput_and_latency_figures():
    run = {
        "scale": 1,
        "processor_readings_per_s": 200_000,
        "raw_consumer_readings_per_s": 800_000,
        "latency_p50_ms": 36.0,
        "broker_p50_ms": 12.0,
    }
    figs = figures({"benchmark": "stream", "runs": [run]})
    assert [(f.figure, f.ratio) for f in figs] == [
        ("stream processor x1", 0.25),
        ("alert latency p50 x1", 3.0),
    ]


def test_api_endpoints_stand_beside_the_healthz_run():
    runs = [
        {"endpoint": "healthz (baseline)", "p99_ms": 2.0},
        {"endpoint": "prices/current", "p99_ms": 3.0},
        {"endpoint": "anomalies", "p99_ms": 8.0},
    ]
    figs = figures({"benchmark": "api", "runs": runs})
    assert [(f.figure, f.baseline, f.ratio) for f in figs] == [
        ("API p99 prices/current", 2.0, 1.5),
        ("API p99 anomalies", 2.0, 4.0),
    ]


def test_a_zero_baseline_has_no_ratio():
    run = {"phase": "predict", "seconds": 0.2, "baseline_seconds": 0}
    (fig,) = figures({"benchmark": "forecast", "runs": [run]})
    assert fig.ratio is None


def test_every_suite_step_has_figures_and_scaled_steps_a_work_time():
    from grid_intel.bench.summary import WORK_SECONDS

    assert {s.name for s in STEPS} == set(FIGURES)
    assert {s.name for s in STEPS if s.scaled} == set(WORK_SECONDS)
    assert SCALES == (1, 4, 16)


def test_growth_is_relative_to_the_smallest_scale_per_benchmark():
    points = [
        ScalePoint("ingest", 4, 400, 8.0, 12.0, 300.0),
        ScalePoint("ingest", 1, 100, 2.0, 5.0, 150.0),
        ScalePoint("stream", 1, 50, 1.0, 9.0, 100.0),
        ScalePoint("stream", 16, 800, 20.0, 40.0, 500.0),
    ]
    rows = growth(points)
    assert [(r["benchmark"], r["scale"]) for r in rows] == [
        ("ingest", 1),
        ("ingest", 4),
        ("stream", 1),
        ("stream", 16),
    ]
    ingest4, stream16 = rows[1], rows[3]
    assert (ingest4["readings_growth"], ingest4["time_growth"], ingest4["rss_growth"]) == (
        4.0,
        4.0,
        2.0,
    )
    assert (stream16["time_growth"], stream16["rss_growth"]) == (20.0, 5.0)
    assert rows[0]["time_growth"] == 1.0
    assert "x4" not in scaling_table(rows) and "ingest" in scaling_table(rows)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (1234567, "1,234,567"),
        (36.5, "36.5"),
        (2.0, "2"),
        (0.2345, "0.234"),
        (True, "True"),
    ],
)
def test_numbers_read_easily(value, text):
    assert number(value) == text


def test_summary_table_aligns_one_line_per_figure():
    figs = [
        Figure("ingest", "Kafka into bronze x1", 150_000, "readings/s", 600_000, "raw COPY", 0.25),
        Figure("api", "API p99 anomalies", 5.96, "ms", 2.28, "/healthz p99", 2.614),
    ]
    lines = summary_table(figs).splitlines()
    assert len(lines) == 3
    assert lines[0].split() == [
        "benchmark",
        "figure",
        "value",
        "unit",
        "baseline",
        "baseline",
        "is",
        "ratio",
    ]
    assert "150,000" in lines[1] and "600,000" in lines[1] and lines[1].endswith("0.25")
    assert len({len(line) for line in lines}) == 1  # right-aligned ratio column ends together


def test_machine_facts_parse_proc_and_pom_text():
    cpuinfo = (
        "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
    )
    assert cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert cpu_model("") == "unknown"
    assert ram_gib("MemTotal:       25165824 kB\nMemFree: 1 kB\n") == 24.0
    assert ram_gib("") is None
    assert kafka_version("<properties><kafka.version>4.1.2</kafka.version>") == "4.1.2"
    assert kafka_version("<project/>") is None


def test_git_commit_follows_a_ref_loose_or_packed(tmp_path: Path):
    sha = "a" * 40
    (tmp_path / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "packed-refs").write_text(f"# pack-refs\n{sha} refs/heads/main\n")
    assert git_commit(tmp_path) == sha
    (tmp_path / "refs" / "heads").mkdir(parents=True)
    (tmp_path / "refs" / "heads" / "main").write_text("b" * 40 + "\n")
    assert git_commit(tmp_path) == "b" * 40
    (tmp_path / "HEAD").write_text("c" * 40)
    assert git_commit(tmp_path) == "c" * 40
    assert git_commit(tmp_path / "missing") is None


def test_the_dbt_baseline_copies_only_the_hour_of_each_table():
    copy, drop = hour_ctas_sql("miso_lmp")
    assert "interval_start >= %(start)s and interval_start < %(end)s" in copy
    assert copy.startswith("create table bronze.baseline_miso_lmp as select * from bronze.miso_lmp")
    assert drop == "drop table bronze.baseline_miso_lmp"
    assert "where ts >= %(start)s" in hour_ctas_sql("sensor_readings")[0]
