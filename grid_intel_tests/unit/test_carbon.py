"""Carbon intensity against hand-computed hours (tonnes = MWh x g/kWh / 1000)."""

import math
from datetime import UTC, datetime

import polars as pl
import pytest

from grid_intel.carbon import (
    MISO,
    SASKPOWER,
    emissions_by_source,
    hourly_intensity,
    intensity,
    miso_average,
    zone_intensities,
)
from grid_intel.grid.stations import STATIONS


def test_pure_hydro_hour_is_24_g_per_kwh():
    r = intensity({"hydro": 4000.0}, {}, {})
    # 4000 MWh x 24 g/kWh / 1000 = 96 t; 96 t / 4000 MWh = 24 g/kWh.
    assert r.emissions_t == pytest.approx(96.0)
    assert r.production_g_kwh == pytest.approx(24.0)
    assert r.consumption_g_kwh == pytest.approx(24.0)
    assert r.consumption_mwh == 4000.0
    assert dict(r.by_source) == pytest.approx({"hydro": 96.0})


def test_miso_imports_raise_consumption_not_production():
    r = intensity({"hydro": 3000.0}, {MISO: 500.0}, {})
    # hydro 3000 x 24 / 1000 = 72 t; import 500 x 485 / 1000 = 242.5 t.
    # consumption = 314.5 t x 1000 / 3500 MWh = 89.857 g/kWh.
    assert r.production_g_kwh == pytest.approx(24.0)
    assert r.emissions_t == pytest.approx(72.0)
    assert r.consumption_emissions_t == pytest.approx(314.5)
    assert r.consumption_g_kwh == pytest.approx((3000 * 24 + 500 * 485) / 3500)
    assert r.consumption_mwh == 3500.0
    assert dict(r.by_source) == pytest.approx({"hydro": 72.0, f"import:{MISO}": 242.5})
    assert r.avoided_average_t == 0.0


def test_exports_carry_the_production_mix_and_displace_miso():
    r = intensity({"hydro": 5000.0, "gas": 200.0}, {}, {MISO: 1500.0})
    # 5000 x 24 + 200 x 490 = 218,000 kg = 218 t over 5200 MWh = 41.923 g/kWh.
    prod = (5000 * 24 + 200 * 490) / 5200
    assert r.production_g_kwh == pytest.approx(prod)
    assert r.consumption_g_kwh == pytest.approx(prod)
    # 3700 MWh stay: 3700 x 41.923 / 1000 = 155.115 t.
    assert r.consumption_mwh == 3700.0
    assert r.consumption_emissions_t == pytest.approx(3700 * prod / 1000)
    # 1500 x (485 - 41.923) / 1000 = 664.615 t; marginal 485 / 1.2 = 404.167 -> 543.365 t.
    assert r.avoided_average_t == pytest.approx(1500 * (485 - prod) / 1000)
    assert r.avoided_marginal_t == pytest.approx(1500 * (485 / 1.2 - prod) / 1000)
    assert r.avoided_average_t == pytest.approx(664.6153846)


def test_direct_basis_counts_only_combustion():
    r = intensity(
        {"hydro": 5000.0, "gas": 200.0}, {}, {MISO: 1500.0}, zones={MISO: 400.0}, basis="direct"
    )
    # hydro 0; gas 200 x 370 / 1000 = 74 t over 5200 MWh = 14.231 g/kWh.
    assert r.emissions_t == pytest.approx(74.0)
    assert r.production_g_kwh == pytest.approx(74_000 / 5200)
    # 1500 x (400 - 14.231) / 1000 = 578.654 t; marginal 400 / 1.2 = 333.33 -> 478.654 t.
    assert r.avoided_average_t == pytest.approx(578.6538462)
    assert r.avoided_marginal_t == pytest.approx(478.6538462)


def test_direct_basis_needs_a_zone_figure_for_flows():
    with pytest.raises(ValueError, match="lifecycle only"):
        intensity({"hydro": 100.0}, {MISO: 10.0}, {}, basis="direct")
    with pytest.raises(ValueError, match="direct emission factor"):
        intensity({"unknown": 100.0}, {}, {}, basis="direct")


def test_reexported_imports_carry_the_import_mix():
    r = intensity({"hydro": 100.0}, {MISO: 500.0}, {SASKPOWER: 300.0})
    # Exports take the 100 MWh generated (2.4 t), then 200 MWh of imports (97 t).
    # Left: 300 MWh, all imported: 242.5 + 2.4 - 99.4 = 145.5 t -> 485 g/kWh.
    assert r.consumption_emissions_t == pytest.approx(145.5)
    assert r.consumption_g_kwh == pytest.approx(485.0)
    # SaskPower has only the placeholder figure, so no credit is claimed.
    assert r.avoided_average_t == 0.0


def test_saskpower_defaults_to_unknown_and_counts_only_when_supplied():
    r = intensity({"hydro": 900.0}, {SASKPOWER: 100.0}, {})
    # 900 x 24 / 1000 = 21.6 t; 100 x 700 / 1000 = 70 t; 91.6 t / 1000 MWh = 91.6 g/kWh.
    assert r.consumption_g_kwh == pytest.approx(91.6)
    r = intensity({"hydro": 1000.0}, {}, {SASKPOWER: 100.0}, zones={SASKPOWER: 600.0})
    # 100 x (600 - 24) / 1000 = 57.6 t, marginal the same (no marginal figure).
    assert r.avoided_average_t == pytest.approx(57.6)
    assert r.avoided_marginal_t == pytest.approx(57.6)


def test_empty_hour_has_nan_intensities_and_no_emissions():
    r = intensity({}, {}, {})
    assert math.isnan(r.production_g_kwh)
    assert math.isnan(r.consumption_g_kwh)
    assert r.emissions_t == 0.0
    assert r.consumption_emissions_t == 0.0


def test_every_station_fuel_has_a_factor_and_diesel_is_oil():
    fuels = {s.fuel for s in STATIONS}
    r = intensity(dict.fromkeys(fuels, 10.0), {}, {})
    assert set(r.by_source) == fuels
    # 10 MWh diesel as oil: 10 x 650 / 1000 = 6.5 t.
    assert intensity({"diesel": 10.0}, {}, {}).emissions_t == pytest.approx(6.5)


def test_miso_average_by_year_uses_the_latest_for_later_years():
    assert miso_average(2022) == 526.0
    assert miso_average(2030) == 485.0
    assert zone_intensities(2023)[MISO] == 501.0
    with pytest.raises(ValueError, match="2022"):
        miso_average(2019)
    # 500 MWh imported at the 2022 figure: 500 x 526 / 1000 = 263 t.
    r = intensity({}, {MISO: 500.0}, {}, zones=zone_intensities(2022))
    assert r.consumption_emissions_t == pytest.approx(263.0)


@pytest.mark.parametrize(
    ("mix", "imports", "exports", "match"),
    [
        ({"hydro": -1.0}, {}, {}, r"mix\['hydro'\]"),
        ({"hydro": 10.0}, {MISO: -5.0}, {}, "imports"),
        ({"peat": 10.0}, {}, {}, "fuel 'peat'"),
        ({"hydro": 10.0}, {"SPP": 5.0}, {}, "unknown zone 'SPP'.*IESO-Ontario"),
        ({"hydro": 100.0}, {MISO: 50.0}, {MISO: 151.0}, "exceed"),
    ],
)
def test_bad_inputs_say_what_to_fix(mix, imports, exports, match):
    with pytest.raises(ValueError, match=match):
        intensity(mix, imports, exports)


def test_unknown_basis_is_rejected():
    with pytest.raises(ValueError, match="basis"):
        intensity({"hydro": 1.0}, {}, {}, basis="marginal")


def _h(i: int) -> datetime:
    return datetime(2024, 1, 1, i, tzinfo=UTC)


GENERATION = pl.DataFrame(
    {
        "hour": [_h(0), _h(1), _h(2), _h(2), _h(4)],
        "fuel": ["hydro", "hydro", "hydro", "gas", "wind"],
        "generation_mw": [4000.0, 3000.0, 5000.0, 200.0, 50.0],
    }
)
# Hour 1 imports 500 (split over two rows), hour 2 exports 1500, hour 3 has no
# generation at all, hour 4 has no interchange, hour 0 nets to zero.
INTERCHANGE = pl.DataFrame(
    {
        "hour": [_h(0), _h(0), _h(1), _h(1), _h(2), _h(3)],
        "counterparty": [MISO, MISO, MISO, MISO, MISO, SASKPOWER],
        "net_export_mw": [100.0, -100.0, -300.0, -200.0, 1500.0, -80.0],
    }
)
EXPECTED = {
    _h(0): ({"hydro": 4000.0}, {}, {}),
    _h(1): ({"hydro": 3000.0}, {MISO: 500.0}, {}),
    _h(2): ({"hydro": 5000.0, "gas": 200.0}, {}, {MISO: 1500.0}),
    _h(3): ({}, {SASKPOWER: 80.0}, {}),
    _h(4): ({"wind": 50.0}, {}, {}),
}


def test_hourly_intensity_matches_intensity_hour_by_hour():
    df = hourly_intensity(GENERATION, INTERCHANGE)
    assert df["hour"].to_list() == list(EXPECTED)
    for row in df.iter_rows(named=True):
        want = intensity(*EXPECTED[row["hour"]])
        for col, got in row.items():
            if col == "hour":
                continue
            assert got == pytest.approx(getattr(want, col), nan_ok=True), (row["hour"], col)


def test_net_export_sign_positive_is_export():
    df = hourly_intensity(GENERATION, INTERCHANGE)
    by_hour = {r["hour"]: r for r in df.iter_rows(named=True)}
    assert (by_hour[_h(1)]["imports_mwh"], by_hour[_h(1)]["exports_mwh"]) == (500.0, 0.0)
    assert (by_hour[_h(2)]["imports_mwh"], by_hour[_h(2)]["exports_mwh"]) == (0.0, 1500.0)
    # 80 MWh from SaskPower at 700 g/kWh, no generation: 56 t, production undefined.
    assert by_hour[_h(3)]["consumption_emissions_t"] == pytest.approx(56.0)
    assert math.isnan(by_hour[_h(3)]["production_g_kwh"])


def test_emissions_by_source_matches_intensity_by_source():
    df = emissions_by_source(GENERATION, INTERCHANGE)
    got = {(r["hour"], r["source"]): r["tonnes"] for r in df.iter_rows(named=True)}
    want = {
        (hour, source): tonnes
        for hour, args in EXPECTED.items()
        for source, tonnes in intensity(*args).by_source.items()
    }
    assert got == pytest.approx(want)
    # Hour 1: 500 MWh from MISO, 500 x 485 / 1000 = 242.5 t.
    assert got[(_h(1), f"import:{MISO}")] == pytest.approx(242.5)


def test_polars_helpers_reject_bad_frames():
    with pytest.raises(ValueError, match="exceed"):
        hourly_intensity(GENERATION, INTERCHANGE.with_columns(pl.col("net_export_mw") * 10))
    with pytest.raises(ValueError, match="negative"):
        hourly_intensity(
            GENERATION.with_columns(generation_mw=-pl.col("generation_mw")), INTERCHANGE
        )
    with pytest.raises(ValueError, match="unknown zone"):
        emissions_by_source(GENERATION, INTERCHANGE.with_columns(counterparty=pl.lit("PJM")))
    with pytest.raises(ValueError, match="fuel 'peat'"):
        emissions_by_source(GENERATION.with_columns(fuel=pl.lit("peat")), INTERCHANGE)
