"""Carbon intensity of Manitoba's generation and consumption, hour by hour.

Units: intensities in g CO2e/kWh (the same number as kg/MWh); emissions in
tonnes CO2e, so tonnes = MWh x g/kWh / 1000; energy in MWh (an hour's mean MW).

`basis="lifecycle"` uses lifecycle factors (construction, fuel supply, leaks);
`basis="direct"` counts only combustion at the stack. The neighbouring zones'
default figures are lifecycle only, so under the direct basis every zone that
imports or exports energy needs a caller-supplied figure in `zones`.

Flow tracing follows the reference: imports carry the exporting zone's
intensity; exports carry Manitoba's production mix. When exports exceed
generation, the excess is re-export of imports and carries their mix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from grid_intel.carbon.factors import (
    MISO,
    Basis,
    fuel_factor,
    fuel_factors,
    miso_marginal,
    zone_intensities,
)

if TYPE_CHECKING:
    import polars as pl

_REL_TOL = 1e-9


@dataclass(frozen=True)
class Intensity:
    """One hour's intensities (g/kWh), emissions (t) and energy (MWh).

    `by_source` holds the emissions of Manitoba generation by fuel and of
    imports by zone (key ``"import:<zone>"``): the gross supply, before exports.
    """

    production_g_kwh: float
    consumption_g_kwh: float
    generation_mwh: float
    imports_mwh: float
    exports_mwh: float
    consumption_mwh: float
    emissions_t: float
    consumption_emissions_t: float
    avoided_average_t: float
    avoided_marginal_t: float
    by_source: Mapping[str, float] = field(hash=False)


@dataclass(frozen=True)
class _Zones:
    """Zone figures under one basis, and which zones earn an avoided-emissions credit."""

    average: dict[str, float]
    marginal: dict[str, float]
    counted: frozenset[str]
    known: frozenset[str]

    def check(self, zone: str, mwh: float, basis: Basis) -> None:
        if zone not in self.known:
            raise ValueError(
                f"unknown zone {zone!r}; use one of {sorted(self.known)} "
                "or give its intensity in zones={...}"
            )
        if mwh > 0 and zone not in self.average:
            raise ValueError(
                f"no {basis} intensity for zone {zone!r}; the defaults are lifecycle only, "
                f"so pass zones={{{zone!r}: g_per_kwh}}"
            )


def _zones(zones: Mapping[str, float] | None, basis: Basis) -> _Zones:
    supplied = dict(zones or {})
    for zone, value in supplied.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"zone intensity for {zone!r} must be finite and >= 0, got {value}")
    defaults = zone_intensities()
    average = {**(defaults if basis == "lifecycle" else {}), **supplied}
    marginal = {z: miso_marginal(v) if z == MISO else v for z, v in average.items()}
    # MISO's figure is published; other zones' defaults are the "unknown"
    # placeholder, which would invent a credit, so they count only when supplied.
    counted = frozenset(z for z in {MISO, *supplied} if z in average)
    return _Zones(average, marginal, counted, frozenset({*defaults, *supplied}))


def _check_energies(name: str, values: Mapping[str, float]) -> None:
    for key, mwh in values.items():
        if not math.isfinite(mwh) or mwh < 0:
            raise ValueError(f"{name}[{key!r}] must be a finite MWh >= 0, got {mwh}")


def _exceeds(exports: float, supply: float) -> bool:
    return exports > supply * (1 + _REL_TOL) + _REL_TOL


def intensity(
    mix: Mapping[str, float],
    imports: Mapping[str, float],
    exports: Mapping[str, float],
    *,
    zones: Mapping[str, float] | None = None,
    basis: Basis = "lifecycle",
) -> Intensity:
    """Trace one hour's emissions through generation, imports and exports.

    `mix` is MWh by fuel; `imports` and `exports` are MWh (>= 0) by counterparty.
    `zones` overrides or adds zone intensities (g/kWh). Intensities are nan when
    their energy is zero (no generation, or nothing left to consume).

    Avoided emissions credit each export with displacing the importing zone's
    generation: MWh x (zone figure - exported intensity). MISO's marginal figure
    is its average / 1.2; other zones have no marginal figure, so both credits
    use their one figure, and they count only when the caller supplies it.
    """
    factors = fuel_factors(basis)
    z = _zones(zones, basis)
    for name, values in (("mix", mix), ("imports", imports), ("exports", exports)):
        _check_energies(name, values)
    for fuel in mix:
        if fuel not in factors:
            fuel_factor(fuel, basis)
    for zone in {*imports, *exports}:
        z.check(zone, imports.get(zone, 0.0) + exports.get(zone, 0.0), basis)

    by_source = {fuel: mwh * factors[fuel] / 1000 for fuel, mwh in mix.items()}
    for zone, mwh in imports.items():
        if mwh > 0:
            by_source[f"import:{zone}"] = mwh * z.average[zone] / 1000
    gen = sum(mix.values())
    gen_t = sum(by_source[f] for f in mix)
    imp = sum(imports.values())
    imp_t = sum(v for k, v in by_source.items() if k.startswith("import:"))
    exp = sum(exports.values())
    if _exceeds(exp, gen + imp):
        raise ValueError(
            f"exports {exp} MWh exceed generation {gen} + imports {imp} MWh; "
            "check the interchange sign or the generation totals"
        )
    counted = [zone for zone in exports if zone in z.counted]
    credit_x = sum(exports[c] for c in counted)
    credit_avg = sum(exports[c] * z.average[c] for c in counted)
    credit_marg = sum(exports[c] * z.marginal[c] for c in counted)
    return _trace(gen, gen_t, imp, imp_t, exp, credit_x, credit_avg, credit_marg, by_source)


def _trace(
    gen: float,
    gen_t: float,
    imp: float,
    imp_t: float,
    exp: float,
    credit_x: float,
    credit_avg: float,
    credit_marg: float,
    by_source: dict[str, float],
) -> Intensity:
    from_gen = min(exp, gen)
    from_imp = min(exp - from_gen, imp)
    export_t = (gen_t * from_gen / gen if gen > 0 else 0.0) + (
        imp_t * from_imp / imp if imp > 0 else 0.0
    )
    cons = max(gen + imp - exp, 0.0)
    cons_t = gen_t + imp_t - export_t if cons > 0 else 0.0
    export_g = export_t * 1000 / exp if exp > 0 else 0.0
    return Intensity(
        production_g_kwh=gen_t * 1000 / gen if gen > 0 else math.nan,
        consumption_g_kwh=cons_t * 1000 / cons if cons > 0 else math.nan,
        generation_mwh=gen,
        imports_mwh=imp,
        exports_mwh=exp,
        consumption_mwh=cons,
        emissions_t=gen_t,
        consumption_emissions_t=cons_t,
        avoided_average_t=(credit_avg - credit_x * export_g) / 1000,
        avoided_marginal_t=(credit_marg - credit_x * export_g) / 1000,
        by_source=MappingProxyType(by_source),
    )


def _prepared(
    generation: pl.DataFrame,
    interchange: pl.DataFrame,
    zones: Mapping[str, float] | None,
    basis: Basis,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validated generation with tonnes, and interchange netted per hour and counterparty."""
    import polars as pl

    factors = fuel_factors(basis)
    z = _zones(zones, basis)
    for fuel in sorted(set(generation["fuel"].unique().to_list()) - set(factors)):
        fuel_factor(fuel, basis)
    checks = (
        (generation, "generation_mw", "null, non-finite or negative", 0.0),
        (interchange, "net_export_mw", "null or non-finite", -math.inf),
    )
    for frame, col, what, low in checks:
        bad = frame.filter(pl.col(col).is_null() | ~pl.col(col).is_finite() | (pl.col(col) < low))
        if bad.height:
            raise ValueError(f"{bad.height} rows have a {what} {col}, first at {bad['hour'][0]}")
    gen = generation.with_columns(
        tonnes=pl.col("generation_mw")
        * pl.col("fuel").replace_strict(factors, return_dtype=pl.Float64)
        / 1000
    )
    ic = interchange.group_by("hour", "counterparty").agg(net=pl.col("net_export_mw").sum())
    for row in ic.group_by("counterparty").agg(flow=pl.col("net").abs().sum()).iter_rows():
        z.check(row[0], row[1], basis)
    ic = ic.with_columns(
        imp=(-pl.col("net")).clip(lower_bound=0.0),
        exp=pl.col("net").clip(lower_bound=0.0),
        avg=pl.col("counterparty").replace_strict(z.average, default=0.0, return_dtype=pl.Float64),
        marg=pl.col("counterparty").replace_strict(
            z.marginal, default=0.0, return_dtype=pl.Float64
        ),
        counted=pl.col("counterparty").is_in(list(z.counted)),
    )
    return gen, ic


def hourly_intensity(
    generation: pl.DataFrame,
    interchange: pl.DataFrame,
    *,
    zones: Mapping[str, float] | None = None,
    basis: Basis = "lifecycle",
) -> pl.DataFrame:
    """`intensity()` for every hour at once, one row per hour.

    `generation` has hour, fuel, generation_mw (mean MW = MWh); `interchange` has
    hour, counterparty, net_export_mw (positive = export out of Manitoba). An hour
    missing from either frame has no generation or no interchange.
    """
    import polars as pl

    gen, ic = _prepared(generation, interchange, zones, basis)
    g = gen.group_by("hour").agg(
        generation_mwh=pl.col("generation_mw").sum(), emissions_t=pl.col("tonnes").sum()
    )
    credit = pl.when(pl.col("counted")).then(pl.col("exp")).otherwise(0.0)
    i = ic.group_by("hour").agg(
        imports_mwh=pl.col("imp").sum(),
        exports_mwh=pl.col("exp").sum(),
        imp_t=(pl.col("imp") * pl.col("avg")).sum() / 1000,
        credit_x=credit.sum(),
        credit_avg=(credit * pl.col("avg")).sum(),
        credit_marg=(credit * pl.col("marg")).sum(),
    )
    df = g.join(i, on="hour", how="full", coalesce=True).fill_null(0.0)
    gen_mwh, imp_mwh, exp_mwh = (
        pl.col("generation_mwh"),
        pl.col("imports_mwh"),
        pl.col("exports_mwh"),
    )
    bad = df.filter(exp_mwh > (gen_mwh + imp_mwh) * (1 + _REL_TOL) + _REL_TOL)
    if bad.height:
        raise ValueError(
            f"exports exceed generation + imports in {bad.height} hours, first {bad['hour'][0]}; "
            "check the net_export_mw sign (positive = export) or the generation totals"
        )
    from_gen = pl.min_horizontal(exp_mwh, gen_mwh)
    from_imp = pl.min_horizontal(exp_mwh - from_gen, imp_mwh)
    nan = pl.lit(math.nan)
    df = df.with_columns(
        export_t=pl.when(gen_mwh > 0)
        .then(pl.col("emissions_t") * from_gen / gen_mwh)
        .otherwise(0.0)
        + pl.when(imp_mwh > 0).then(pl.col("imp_t") * from_imp / imp_mwh).otherwise(0.0),
        consumption_mwh=pl.max_horizontal(gen_mwh + imp_mwh - exp_mwh, 0.0),
    ).with_columns(
        consumption_emissions_t=pl.when(pl.col("consumption_mwh") > 0)
        .then(pl.col("emissions_t") + pl.col("imp_t") - pl.col("export_t"))
        .otherwise(0.0),
        export_g=pl.when(exp_mwh > 0).then(pl.col("export_t") * 1000 / exp_mwh).otherwise(0.0),
    )
    return df.select(
        "hour",
        "generation_mwh",
        "imports_mwh",
        "exports_mwh",
        "consumption_mwh",
        production_g_kwh=pl.when(gen_mwh > 0)
        .then(pl.col("emissions_t") * 1000 / gen_mwh)
        .otherwise(nan),
        consumption_g_kwh=pl.when(pl.col("consumption_mwh") > 0)
        .then(pl.col("consumption_emissions_t") * 1000 / pl.col("consumption_mwh"))
        .otherwise(nan),
        emissions_t="emissions_t",
        consumption_emissions_t="consumption_emissions_t",
        avoided_average_t=(pl.col("credit_avg") - pl.col("credit_x") * pl.col("export_g")) / 1000,
        avoided_marginal_t=(pl.col("credit_marg") - pl.col("credit_x") * pl.col("export_g")) / 1000,
    ).sort("hour")


def emissions_by_source(
    generation: pl.DataFrame,
    interchange: pl.DataFrame,
    *,
    zones: Mapping[str, float] | None = None,
    basis: Basis = "lifecycle",
) -> pl.DataFrame:
    """`Intensity.by_source` for every hour: hour, source (fuel or "import:<zone>"), mwh, tonnes."""
    import polars as pl

    gen, ic = _prepared(generation, interchange, zones, basis)
    fuels = gen.group_by("hour", pl.col("fuel").alias("source")).agg(
        mwh=pl.col("generation_mw").sum(), tonnes=pl.col("tonnes").sum()
    )
    imports = ic.filter(pl.col("imp") > 0).select(
        "hour",
        source=pl.lit("import:") + pl.col("counterparty"),
        mwh="imp",
        tonnes=pl.col("imp") * pl.col("avg") / 1000,
    )
    return pl.concat([fuels, imports], how="vertical_relaxed").sort("hour", "source")
