"""`bench forecast-accuracy`: day-ahead MAPE of `forecast()` in `auto` on the two real
demand series, beside seasonal naive and MSTL on the same origins (the protocol of
`grid_intel.forecasting.evaluation`), with each model's seconds per call."""

from __future__ import annotations

from collections.abc import Callable

from grid_intel.forecasting import evaluation as ev
from grid_intel.settings import Settings


def bench_forecast_accuracy(
    settings: Settings, progress: Callable[[str], None], every: int = 1
) -> dict[str, object]:
    """Every origin of the protocol, or with `every` each every-th (counting back)."""
    models = ev.standard_models()
    runs = []
    for real in ev.SERIES:
        frame = real.load(ev.DATA)
        at = ev.origins(frame.height, real.step, every)
        progress(f"forecast-accuracy: {real.name}, {len(at)} day-ahead origins ...")
        found = ev.day_ahead(frame, real.step, models, at, progress)
        auto, mstl, naive = found["auto"], found["mstl"], found["seasonal_naive"]
        runs.append(
            {
                "series": real.name,
                "origins": len(at),
                "auto_mape_pct": auto["mape_pct"],
                "mstl_mape_pct": mstl["mape_pct"],
                "seasonal_naive_mape_pct": naive["mape_pct"],
                "ratio_vs_mstl": round(auto["mape_pct"] / mstl["mape_pct"], 3),
                "auto_s_per_call": round(auto["seconds_per_call"], 2),
                "mstl_s_per_call": round(mstl["seconds_per_call"], 2),
                "beats_mstl": auto["mape_pct"] < mstl["mape_pct"],
            }
        )
    return {"benchmark": "forecast_accuracy", "protocol": ev.__doc__, "runs": runs}
