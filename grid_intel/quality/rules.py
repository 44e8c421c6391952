"""Custom data-quality rules as pure functions of measured figures.

The SQL in `queries.py` measures a partition; these decide. Thresholds live in
`catalog.py` next to each check's severity, so what fails and how badly is
stated once.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from grid_intel.quality.verdict import Verdict


def quarantine_rate(quarantined: int, accepted: int, limit: float) -> Verdict:
    """Share of a window's messages that could not be decoded, against `limit`."""
    total = quarantined + accepted
    rate = quarantined / total if total else 0.0
    figures = {"quarantined": quarantined, "messages": total, "rate_pct": round(100 * rate, 4)}
    said = f"{quarantined} of {total} messages quarantined ({rate:.2%}, allowed {limit:.0%})"
    return Verdict.fail(said, **figures) if rate > limit else Verdict.ok(said, **figures)


def completeness(
    observed: Mapping[str, int], expected: Mapping[str, float], min_ratio: float, show: int = 10
) -> Verdict:
    """Readings received per series against the number its scan rate promises.

    `expected` names every series that should report (from the registry);
    a series missing from `observed` counts as zero.
    """
    if not expected:
        return Verdict.fail("no series are expected: load the asset registry first")
    ratios = {k: min(observed.get(k, 0) / e, 1.0) for k, e in expected.items() if e > 0}
    short = sorted((r, k) for k, r in ratios.items() if r < min_ratio)
    overall = sum(min(observed.get(k, 0), e) for k, e in expected.items()) / sum(expected.values())
    figures = {
        "series_expected": len(expected),
        "series_short": len(short),
        "completeness_pct": round(100 * overall, 3),
        "worst_series": {k: round(100 * r, 1) for r, k in short[:show]},
    }
    if short:
        return Verdict.fail(
            f"{len(short)} of {len(expected)} series below {min_ratio:.0%} of their expected "
            f"readings (worst: {short[0][1]} at {short[0][0]:.1%})",
            **figures,
        )
    return Verdict.ok(
        f"every series at or above {min_ratio:.0%} of its expected readings", **figures
    )


def freshness(newest: datetime | None, window_end: datetime, max_staleness: timedelta) -> Verdict:
    """The newest event of a window reaches its end: a stalled producer leaves the tail empty."""
    if newest is None:
        return Verdict.fail("the window holds no events at all", staleness_s=None)
    staleness = window_end - newest
    figures = {"newest_event": newest.isoformat(), "staleness_s": round(staleness.total_seconds())}
    if staleness > max_staleness:
        return Verdict.fail(
            f"newest event is {staleness} before the window's end (allowed {max_staleness})",
            **figures,
        )
    return Verdict.ok(f"newest event {staleness} before the window's end", **figures)


def row_count_anomaly(
    current: int, trailing: Sequence[int], max_deviation: float, min_history: int
) -> Verdict:
    """The window's row count against the median of the trailing windows.

    Fails when it deviates from the median by more than `max_deviation` (a
    fraction). With fewer than `min_history` trailing windows there is nothing
    to compare with: the check passes and says so.
    """
    figures: dict[str, object] = {"rows": current, "trailing_windows": len(trailing)}
    if len(trailing) < min_history:
        return Verdict.ok(
            f"{len(trailing)} trailing windows (need {min_history}): no baseline yet", **figures
        )
    median = statistics.median(trailing)
    deviation = (current - median) / median if median else (0.0 if current == 0 else 1.0)
    figures |= {"trailing_median": median, "deviation_pct": round(100 * deviation, 2)}
    if abs(deviation) > max_deviation:
        return Verdict.fail(
            f"{current} rows is {deviation:+.1%} from the trailing median of {median:g} "
            f"(allowed ±{max_deviation:.0%})",
            **figures,
        )
    return Verdict.ok(f"{current} rows, {deviation:+.1%} from the trailing median", **figures)


def referential_integrity(unknown: Mapping[str, int], show: int = 10) -> Verdict:
    """Keys that the asset registry does not know, with how many rows each has."""
    figures = {
        "unknown_keys": len(unknown),
        "unknown_rows": sum(unknown.values()),
        "examples": dict(sorted(unknown.items(), key=lambda kv: -kv[1])[:show]),
    }
    if unknown:
        return Verdict.fail(
            f"{len(unknown)} keys not in the asset registry ({figures['unknown_rows']} rows)",
            **figures,
        )
    return Verdict.ok("every key is in the asset registry", **figures)


def reconciliation(
    hours: Sequence[tuple[datetime, float, float, float]],
    max_loss_fraction: float,
    tolerance_fraction: float,
) -> Verdict:
    """Generation - demand - net export per hour is the grid's losses, so it must lie in
    [-tolerance, max_loss + tolerance] x generation.

    Rows: (hour, generation, demand, net export).
    """
    if not hours:
        return Verdict.fail("no hour has generation, demand and interchange to reconcile")
    bad, worst = [], 0.0
    for hour, gen, demand, export in hours:
        losses = gen - demand - export
        share = losses / gen if gen else float("inf")
        worst = max(worst, abs(share))
        if not -tolerance_fraction <= share <= max_loss_fraction + tolerance_fraction:
            bad.append(
                {
                    "hour": hour.isoformat(),
                    "generation_mw": round(gen, 1),
                    "demand_mw": round(demand, 1),
                    "net_export_mw": round(export, 1),
                    "implied_losses_mw": round(losses, 1),
                }
            )
    figures = {"hours": len(hours), "hours_failing": len(bad), "failing": bad[:10]}
    band = f"[-{tolerance_fraction:.0%}, {max_loss_fraction + tolerance_fraction:.0%}]"
    if bad:
        return Verdict.fail(
            f"{len(bad)} of {len(hours)} hours do not balance: implied losses outside {band} "
            "of generation",
            **figures,
        )
    return Verdict.ok(f"every hour balances within {band} of generation", **figures)


def flagged(by_code: Mapping[str, Mapping[str, int]], show: int = 10) -> Verdict:
    """Readings silver flagged, by quality code, with the points most affected."""
    counts = {code: sum(points.values()) for code, points in by_code.items()}
    figures = {
        "flagged_by_code": counts,
        "points": {
            code: dict(sorted(points.items(), key=lambda kv: -kv[1])[:show])
            for code, points in by_code.items()
        },
    }
    if counts:
        listed = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
        return Verdict.fail(f"readings flagged: {listed}", **figures)
    return Verdict.ok("no reading flagged", **figures)
