"""The suite's summary: one line per figure beside its baseline, and how time and memory
grow with the sensor count. Pure functions over the benchmarks' report dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

Run = Mapping[str, object]

# benchmark -> the run field naming the line, then per figure:
# (figure, value field, unit, baseline field, what the baseline is)
FIGURES: dict[str, tuple[str, tuple[tuple[str, str, str, str, str], ...]]] = {
    "simulate": (
        "scale",
        (
            (
                "simulator into Kafka",
                "simulate_to_kafka_readings_per_s",
                "readings/s",
                "raw_producer_readings_per_s",
                "raw producer",
            ),
        ),
    ),
    "ingest": (
        "scale",
        (
            (
                "Kafka into bronze",
                "ingest_readings_per_s",
                "readings/s",
                "raw_copy_readings_per_s",
                "raw binary COPY",
            ),
        ),
    ),
    "backfill": (
        "group",
        (("dbt backfill, one run", "seconds", "s", "raw_copy_seconds", "raw CTAS of inputs"),),
    ),
    "dbt_partition": (
        "run",
        (("dbt hourly partition", "seconds", "s", "raw_ctas_seconds", "raw CTAS of the hour"),),
    ),
    "forecast": (
        "phase",
        (("forecast", "seconds", "s", "baseline_seconds", "the row's baseline"),),
    ),
    "stream": (
        "scale",
        (
            (
                "stream processor",
                "processor_readings_per_s",
                "readings/s",
                "raw_consumer_readings_per_s",
                "raw consumer",
            ),
            ("alert latency p50", "latency_p50_ms", "ms", "broker_p50_ms", "broker p50"),
        ),
    ),
    "api": (
        "endpoint",
        (("API p99", "p99_ms", "ms", "baseline_p99_ms", "/healthz p99"),),
    ),
}
# The figure whose seconds measure a scaled benchmark's own work (not process start-up).
WORK_SECONDS = {"simulate": "seconds", "ingest": "ingest_seconds", "stream": "processor_seconds"}


@dataclass(frozen=True)
class Figure:
    benchmark: str
    figure: str
    value: float
    unit: str
    baseline: float
    baseline_is: str
    ratio: float | None  # value / baseline


def ratio(value: float, baseline: float) -> float | None:
    return round(value / baseline, 3) if baseline else None


def _with_api_baseline(runs: Sequence[Run]) -> list[Run]:
    """The API's baseline is a run of its own (/healthz); give every run its p99."""
    base = next((r for r in runs if str(r["endpoint"]).startswith("healthz")), None)
    if base is None:
        return []
    return [{**r, "baseline_p99_ms": base["p99_ms"]} for r in runs if r is not base]


def figures(report: Mapping[str, object]) -> list[Figure]:
    """Each figure of one benchmark's report beside its in-run baseline."""
    name = str(report["benchmark"])
    by, specs = FIGURES[name]
    runs: Sequence[Run] = report["runs"]  # type: ignore[assignment]
    if name == "api":
        runs = _with_api_baseline(runs)
    out = []
    for run in runs:
        tag = f"x{run[by]}" if by == "scale" else str(run[by])
        for figure, key, unit, base_key, base_is in specs:
            value, base = float(run[key]), float(run[base_key])  # type: ignore[arg-type]
            out.append(
                Figure(name, f"{figure} {tag}", value, unit, base, base_is, ratio(value, base))
            )
    return out


@dataclass(frozen=True)
class ScalePoint:
    """One scale of a scaled benchmark, run in a process of its own."""

    benchmark: str
    scale: int
    readings: int
    work_seconds: float
    wall_seconds: float
    peak_rss_mib: float


def growth(points: Sequence[ScalePoint]) -> list[dict[str, object]]:
    """Per benchmark and scale: readings, time and peak memory, and each as a multiple of
    the benchmark's smallest scale (1x)."""
    out: list[dict[str, object]] = []
    for name in dict.fromkeys(p.benchmark for p in points):
        mine = sorted((p for p in points if p.benchmark == name), key=lambda p: p.scale)
        first = mine[0]
        for p in mine:
            out.append(
                {
                    **asdict(p),
                    "readings_growth": ratio(p.readings, first.readings),
                    "time_growth": ratio(p.work_seconds, first.work_seconds),
                    "rss_growth": ratio(p.peak_rss_mib, first.peak_rss_mib),
                }
            )
    return out


def number(value: object) -> str:
    """Readable: thousands separated, at most three significant decimals."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}".rstrip("0").rstrip(".")


def render(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain table: text left-aligned, numbers right-aligned."""
    cells = [list(header)] + [[number(v) for v in r] for r in rows]
    numeric = [
        all(isinstance(r[i], int | float) or r[i] is None for r in rows) for i in range(len(header))
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            (v.rjust(w) if num else v.ljust(w))
            for v, w, num in zip(r, widths, numeric, strict=True)
        ).rstrip()
        for r in cells
    )


def summary_table(figs: Sequence[Figure]) -> str:
    rows = [
        (f.benchmark, f.figure, f.value, f.unit, f.baseline, f.baseline_is, f.ratio) for f in figs
    ]
    header = ("benchmark", "figure", "value", "unit", "baseline", "baseline is", "ratio")
    return render(header, rows)


def scaling_table(rows: Sequence[Mapping[str, object]]) -> str:
    cols = (
        "benchmark",
        "scale",
        "readings",
        "work_seconds",
        "wall_seconds",
        "peak_rss_mib",
        "readings_growth",
        "time_growth",
        "rss_growth",
    )
    return render(cols, [[r[c] for c in cols] for r in rows])
