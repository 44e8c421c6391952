"""The whole fleet's assessments for one UTC day, from the frames `inputs` reads.

Pure: frames in, one row per transformer, breaker and line out, with every
factor and the evidence behind it, ready for `gold.equipment_health`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.grid.cooling import COOLING
from grid_intel.health.breakers_lines import BreakerDay, LineDay, assess_breaker, assess_line
from grid_intel.health.dga import GASES, rate_of_rise, tdcg
from grid_intel.health.failure import HOURS_PER_YEAR, insulation_consumed
from grid_intel.health.inputs import WARM_UP, HealthInputs
from grid_intel.health.thermal import ThermalParams
from grid_intel.health.transformer import Assessment, TransformerDay, assess, top_oil_excess


@dataclass(frozen=True)
class Scored:
    kind: str
    substation: str | None
    region: str | None
    assessment: Assessment

    def row(self, day: datetime) -> tuple[object, ...]:
        a = self.assessment
        rul = a.rul
        return (
            day,
            a.asset,
            self.kind,
            self.substation,
            self.region,
            a.health_index,
            a.band,
            a.worst_factor(),
            a.cnaim_health_score,
            a.probability_of_failure,
            rul.years if rul else None,
            rul.low if rul else None,
            rul.high if rul else None,
            {f.name: f.as_dict() for f in a.factors},  # jsonb objects, not JSON strings
            a.diagnosis,
        )


def _by_asset(frame: pl.DataFrame, value: str) -> dict[str, object]:
    if frame.is_empty():
        return {}
    return dict(zip(frame["asset"].to_list(), frame[value].to_list(), strict=True))


def service_years(install_year: int, at: datetime) -> float:
    """Years in service at `at`, counted from the middle of the install year."""
    installed = datetime(install_year, 7, 1, tzinfo=UTC)
    return max((at - installed).total_seconds() / 3600.0 / HOURS_PER_YEAR, 0.0)


def _hourly(frame: pl.DataFrame, asset: str, measurement: str, hours: list[datetime], col: str):
    rows = frame.filter((pl.col("asset") == asset) & (pl.col("measurement") == measurement))
    got = dict(zip(rows["hour"].to_list(), rows[col].to_list(), strict=True))
    return np.array([np.nan if got.get(h) is None else float(got[h]) for h in hours])


def history_counts(inputs: HealthInputs) -> tuple[dict[str, object], dict[str, object]]:
    """Corrective work orders and unplanned outages per asset over the history window."""
    return _by_asset(inputs.corrective, "n"), _by_asset(inputs.outages, "n")


def transformer_days(
    inputs: HealthInputs, history: tuple[dict[str, object], dict[str, object]] | None = None
) -> Iterator[tuple[dict, TransformerDay]]:
    """Each transformer's day: thermal, ageing, gas, loading and history evidence."""
    eq = inputs.equipment
    if eq.is_empty():
        return
    hours = [inputs.start - WARM_UP + timedelta(hours=i) for i in range(48)]
    th = inputs.transformer_hours
    warm = int(WARM_UP.total_seconds() // 3600)
    peak_load = _by_asset(inputs.peak_load, "peak")
    totals = {r["asset"]: r for r in inputs.ageing_totals.iter_rows(named=True)}
    days = inputs.ageing_days
    corrective, outages = history or history_counts(inputs)
    gases = inputs.gases
    for rec in eq.filter(pl.col("asset_kind") == "transformer").iter_rows(named=True):
        asset = rec["asset"]
        upgraded = bool(rec["thermally_upgraded_paper"])
        cool = COOLING[rec["cooling"]]
        params = ThermalParams(
            *(
                np.array([v])
                for v in (
                    rec["top_oil_rise_c"],
                    rec["hot_spot_rise_c"],
                    rec["loss_ratio"],
                    cool.n,
                    cool.m,
                    cool.oil_time_constant_min,
                )
            )
        )
        excess = peak_hot = None
        if not th.is_empty():
            load = _hourly(th, asset, "load_mva", hours, "mean_value") / rec["rating_mva"]
            ambient = _hourly(th, asset, "ambient_temp_c", hours, "mean_value")
            top = _hourly(th, asset, "top_oil_temp_c", hours, "mean_value")
            hot = _hourly(th, asset, "hot_spot_temp_c", hours, "max_value")[warm:]
            excess = top_oil_excess(params, load, ambient, top, compare_from=warm)
            peak_hot = float(np.nanmax(hot)) if np.isfinite(hot).any() else None
        total = totals.get(asset)
        rate_col = "faa" if upgraded else "iec"
        rates = (
            days.filter(pl.col("asset") == asset)[rate_col].drop_nulls().to_numpy()
            if not days.is_empty()
            else np.array([])
        )
        if total is not None:
            first = total["first_hour"]
            unmonitored = (
                first - datetime(rec["install_year"], 7, 1, tzinfo=UTC)
            ).total_seconds() / 3600
            aged = float(total["faa_hours" if upgraded else "iec_hours"] or 0.0)
            observed = float(total["hours"])
        else:
            unmonitored = service_years(rec["install_year"], inputs.end) * HOURS_PER_YEAR
            aged = observed = 0.0
        rate = float(rates.mean()) if rates.size else 0.0
        gas_ppm, rise = None, None
        if not gases.is_empty():
            g = gases.filter(pl.col("asset") == asset)
            if not g.is_empty() and set(GASES) <= set(g["gas"].to_list()):
                wide = (
                    g.pivot(on="gas", index="hour", values="mean_value").sort("hour").drop_nulls()
                )
                if not wide.is_empty():
                    last = wide.row(-1, named=True)
                    gas_ppm = {k: float(last[k]) for k in GASES}
                    t_days = [(h - inputs.start).total_seconds() / 86400 for h in wide["hour"]]
                    totals_ppm = [tdcg(r) for r in wide.select(GASES).iter_rows(named=True)]
                    rise = rate_of_rise(t_days, totals_ppm)
        yield (
            rec,
            TransformerDay(
                asset=asset,
                service_years=service_years(rec["install_year"], inputs.end),
                insulation_consumed=insulation_consumed(unmonitored, aged),
                ageing_rate=rate,
                ageing_rate_low=float(rates.min()) if rates.size else rate,
                ageing_rate_high=float(rates.max()) if rates.size else rate,
                observed_hours=observed,
                peak_hot_spot_c=peak_hot,
                top_oil_excess_c=excess,
                peak_load_pu=(peak_load[asset] / rec["rating_mva"])
                if peak_load.get(asset)
                else None,
                gases_ppm=gas_ppm,
                tdcg_rate_ppm_day=rise,
                corrective_orders=int(corrective.get(asset, 0)),
                outages=int(outages.get(asset, 0)),
            ),
        )


def assess_fleet(inputs: HealthInputs) -> list[Scored]:
    """Transformers, breakers and lines of the registry, each assessed for the day."""
    corrective, outages = history_counts(inputs)
    out = [
        Scored("transformer", rec["substation"], rec["region"], assess(day))
        for rec, day in transformer_days(inputs, (corrective, outages))
    ]
    if inputs.equipment.is_empty():
        return out
    breakers = {r["asset"]: r for r in inputs.breakers.iter_rows(named=True)}
    lines = {r["asset"]: r for r in inputs.lines.iter_rows(named=True)}
    peak_current = _by_asset(inputs.peak_current, "peak")
    for rec in inputs.equipment.iter_rows(named=True):
        asset, kind = rec["asset"], rec["asset_kind"]
        if kind == "breaker":
            b = breakers.get(asset, {})
            day = BreakerDay(
                asset,
                b.get("operation_count"),
                b.get("operations"),
                trips=int(outages.get(asset, 0)),
                corrective_orders=int(corrective.get(asset, 0)),
            )
            out.append(Scored(kind, rec["substation"], rec["region"], assess_breaker(day)))
        elif kind == "line":
            ln = lines.get(asset, {})
            current = peak_current.get(asset)
            day = LineDay(
                asset,
                ln.get("peak_conductor_c"),
                float(ln.get("hours_over_design") or 0),
                float(current) / rec["rating_a"] if current and rec["rating_a"] else None,
                outages=int(outages.get(asset, 0)),
                corrective_orders=int(corrective.get(asset, 0)),
            )
            out.append(Scored(kind, rec["substation"], rec["region"], assess_line(day)))
    return out


def worst(scored: list[Scored], n: int = 10) -> list[dict[str, object]]:
    """The n lowest health indices of the fleet, with the factor that drags each down."""
    ranked = sorted(scored, key=lambda s: (s.assessment.health_index, s.assessment.asset))[:n]
    return [
        {
            "asset": s.assessment.asset,
            "kind": s.kind,
            "health_index": s.assessment.health_index,
            "band": s.assessment.band,
            "worst_factor": s.assessment.worst_factor(),
        }
        for s in ranked
    ]
