"""The registry holds the published stations and a consistent equipment layout."""

import pytest

from grid_intel.grid.cooling import COOLING
from grid_intel.grid.regions import REGIONS, REGIONS_BY_ID
from grid_intel.grid.registry import build_registry
from grid_intel.grid.stations import STATIONS_BY_ID, capacity_mw


def test_published_station_capacities():
    published = {
        "limestone": 1340,
        "kettle": 1220,
        "long_spruce": 1010,
        "keeyask": 695,
        "grand_rapids": 479,
        "kelsey": 316,
        "wuskwatim": 200,
        "seven_sisters": 165,
        "jenpeg": 135,
        "great_falls": 131,
        "pine_falls": 82,
        "pointe_du_bois": 78,
        "slave_falls": 67,
        "mcarthur": 55,
        "brandon": 280,
        "st_joseph": 138,
        "st_leon": 99,
    }
    assert {k: STATIONS_BY_ID[k].capacity_mw for k in published} == published
    assert capacity_mw("gas") == 280 and capacity_mw("wind") == 237
    diesel = [s for s in STATIONS_BY_ID.values() if s.fuel == "diesel"]
    assert len(diesel) == 4 and not any(s.grid_connected for s in diesel)
    assert all(2 <= s.capacity_mw <= 3 for s in diesel)


def test_hydro_dominates_installed_capacity():
    hydro_share = capacity_mw("hydro") / capacity_mw()
    assert 0.9 < hydro_share < 0.97  # ~97 % of energy; capacity share is a little lower


def test_region_load_shares_sum_to_one():
    assert sum(r.load_share for r in REGIONS) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def grid():
    return build_registry(1)


def test_ids_are_unique_across_kinds(grid):
    kinds = (
        grid.regions,
        grid.stations,
        grid.substations,
        grid.transformers,
        grid.lines,
        grid.interties,
        grid.breakers,
        grid.rtus,
        grid.points,
    )
    assert len(grid.by_id) == sum(len(k) for k in kinds)


def test_references_resolve(grid):
    subs = {s.id for s in grid.substations}
    assert all(s.region in REGIONS_BY_ID for s in grid.substations)
    assert all(t.substation in subs for t in grid.transformers)
    assert all({ln.from_substation, ln.to_substation} <= subs for ln in grid.lines)
    assert all(b.substation in subs and b.protects in grid.by_id for b in grid.breakers)
    assert all(i.substation in subs for i in grid.interties)
    assert all(r.substation in subs for r in grid.rtus)
    assert {r.id for r in grid.rtus} == set(grid.points_by_rtu)
    assert all(p.asset in grid.by_id and p.low < p.high for p in grid.points)


def test_every_substation_reports_and_every_station_is_connected(grid):
    assert all(grid.points_by_rtu[f"rtu_{s.id}"] for s in grid.substations)
    generating = {s.station for s in grid.substations if s.kind == "generating"}
    assert generating == {s.id for s in grid.stations if s.grid_connected}
    connected = {ln.from_substation for ln in grid.lines} | {ln.to_substation for ln in grid.lines}
    assert {s.id for s in grid.substations} <= connected


def test_transformers_are_physically_plausible(grid):
    for t in grid.transformers:
        assert t.cooling in COOLING
        assert t.hv_kv > t.lv_kv and t.rating_mva > 0
        assert 40 <= t.top_oil_rise_c <= 65 and 15 <= t.hot_spot_rise_c <= 35
        assert 1960 <= t.install_year <= 2024
    step_up = {t.substation: 0.0 for t in grid.transformers if t.substation.startswith("gs_")}
    for t in grid.transformers:
        if t.substation in step_up:
            step_up[t.substation] += t.rating_mva
    for sub, mva in step_up.items():  # step-up capacity covers the station's output
        assert mva >= STATIONS_BY_ID[sub.removeprefix("gs_")].capacity_mw


def test_bipoles_and_miso_tie_follow_the_reference(grid):
    hvdc = [ln for ln in grid.lines if ln.hvdc]
    assert {ln.id for ln in hvdc} == {"bipole_1", "bipole_2", "bipole_3"}
    assert all(grid.by_id[ln.from_substation].region == "north" for ln in hvdc)
    miso = grid.by_id["tie_miso"]
    assert miso.export_mw == 3185 and 1400 <= miso.import_mw <= 2100


def test_layout_is_deterministic_and_scales(grid):
    build_registry.cache_clear()
    again = build_registry(1)
    assert again == grid and again is not grid
    bigger = build_registry(4)
    assert len(bigger.points) > 2 * len(grid.points)
    with pytest.raises(ValueError, match="positive"):
        build_registry(0)
