"""The health functions against the standards' published values, and physical sense:
more load or more heat never improves a transformer's health."""

import itertools
import math

import numpy as np
import pytest

from grid_intel.grid.cooling import COOLING
from grid_intel.health import (
    Factor,
    TransformerDay,
    aging_acceleration_factor,
    assess,
    band,
    duval_triangle_1,
    health_index,
    loss_of_life_pct,
    probability_of_failure,
    rate_of_rise,
    relative_ageing_iec,
    remaining_useful_life,
    rogers_case,
    rogers_ratios,
    tdcg_condition,
    top_oil_excess,
)
from grid_intel.health.thermal import ThermalParams, advance, ultimate_top_oil_rise


@pytest.mark.parametrize(
    ("hot_spot_c", "faa"),
    # IEEE C57.91 Table/Figure 2 values, 110 °C reference for thermally upgraded paper.
    [
        (80, 0.036),
        (90, 0.116),
        (100, 0.350),
        (110, 1.0),
        (120, 2.71),
        (130, 6.98),
        (140, 17.2),
        (150, 40.6),
        (160, 92.1),
    ],
)
def test_ageing_acceleration_factor_matches_ieee_c57_91(hot_spot_c, faa):
    assert aging_acceleration_factor(hot_spot_c) == pytest.approx(faa, rel=0.01)


def test_ageing_acceleration_factor_rejects_impossible_temperatures():
    with pytest.raises(ValueError, match="hot-spot"):
        aging_acceleration_factor(float("nan"))
    with pytest.raises(ValueError, match="above -273"):
        aging_acceleration_factor(-300.0)


def test_loss_of_life_and_iec_relative_ageing():
    # A day at the 110 °C reference ages the paper one day of its 180,000 h normal life.
    assert loss_of_life_pct(np.full(24, 110.0), 24) == pytest.approx(100 * 24 / 180_000)
    # IEC 60076-7: 1 at 98 °C, doubling every 6 °C.
    assert float(relative_ageing_iec(98.0)) == pytest.approx(1.0)
    assert float(relative_ageing_iec(104.0)) == pytest.approx(2.0)
    assert float(relative_ageing_iec(92.0)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("ch4", "c2h4", "c2h2", "zone"),
    [
        (100.0, 0.5, 0.5, "PD"),  # methane only: partial discharge
        (40.0, 10.0, 50.0, "D1"),  # acetylene-rich, little ethylene
        (10.0, 30.0, 60.0, "D2"),  # arcing
        (20.0, 45.0, 35.0, "D2"),  # the upper D2 band: C2H2 > 29 with C2H4 > 40
        (90.0, 8.0, 2.0, "T1"),  # methane-led thermal fault < 300 °C
        (60.0, 38.0, 2.0, "T2"),
        (20.0, 80.0, 0.0, "T3"),  # ethylene-led thermal fault > 700 °C
        (40.0, 50.0, 10.0, "DT"),
    ],
)
def test_duval_triangle_1_zones_of_textbook_mixes(ch4, c2h4, c2h2, zone):
    assert duval_triangle_1(ch4, c2h4, c2h2) == zone


def test_duval_triangle_reads_percentages_not_ppm():
    assert duval_triangle_1(200.0, 800.0, 0.0) == duval_triangle_1(2.0, 8.0, 0.0) == "T3"


def test_duval_triangle_refuses_what_has_no_zone():
    with pytest.raises(ValueError, match="all three are 0"):
        duval_triangle_1(0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="ppm >= 0"):
        duval_triangle_1(-1.0, 5.0, 5.0)


@pytest.mark.parametrize(
    ("total", "condition"),
    [(0, 1), (720, 1), (721, 2), (1920, 2), (1921, 3), (4630, 3), (4631, 4), (10_000, 4)],
)
def test_tdcg_conditions_of_ieee_c57_104(total, condition):
    assert tdcg_condition(total) == condition


def test_rogers_ratios_and_cases():
    normal = rogers_ratios(h2=100, ch4=50, c2h2=0.5, c2h4=20, c2h6=40)
    assert normal.ch4_h2 == pytest.approx(0.5)
    assert rogers_case(normal) == "normal"
    hot = rogers_ratios(h2=50, ch4=200, c2h2=1, c2h4=400, c2h6=50)
    assert rogers_case(hot) == "thermal above 700 °C"
    assert rogers_case(rogers_ratios(h2=0, ch4=1, c2h2=0, c2h4=1, c2h6=1)) == "unresolved"


def test_rate_of_rise_is_the_least_squares_slope_per_day():
    days = np.linspace(0, 2, 49)
    assert rate_of_rise(days, 100 + 35 * days) == pytest.approx(35.0)
    assert rate_of_rise([0.0], [5.0]) == 0.0
    assert rate_of_rise([0.0, 1.0, float("nan")], [1.0, 3.0, 9.0]) == pytest.approx(2.0)


@pytest.mark.parametrize(("h", "pof"), [(4.0, 0.0129), (5.5, 0.0275)])
def test_cnaim_probability_of_failure_at_published_health_scores(h, pof):
    assert probability_of_failure(h) == pytest.approx(pof, rel=0.01)


def test_cnaim_curve_is_flat_below_four_and_rises_after():
    assert probability_of_failure(0.5) == probability_of_failure(4.0)
    values = [probability_of_failure(h) for h in np.linspace(4, 10, 25)]
    assert all(b > a for a, b in itertools.pairwise(values))
    assert probability_of_failure(5.5, k=0.001, c=1.0) == pytest.approx(
        0.001 * (1 + 5.5 + 5.5**2 / 2 + 5.5**3 / 6)
    )
    with pytest.raises(ValueError, match="health score"):
        probability_of_failure(float("nan"))


def test_health_index_is_the_reference_weighted_formula_with_critical_caps():
    factors = [Factor("a", 4, 2, "x"), Factor("b", 2, 1, "y"), Factor("c", 3, 1, "z")]
    assert health_index(factors) == pytest.approx(100 * (8 + 2 + 3) / 16)
    capped = [*factors, Factor("gas", 0.0, 1, "active gassing", critical=True)]
    assert health_index(capped) == 20.0
    with pytest.raises(ValueError, match="0-4"):
        health_index([Factor("bad", 5, 1, "")])


@pytest.mark.parametrize(
    ("index", "name"),
    [
        (100, "very good"),
        (85, "very good"),
        (84.9, "good"),
        (70, "good"),
        (50, "fair"),
        (30, "poor"),
        (29.9, "very poor"),
        (0, "very poor"),
    ],
)
def test_bands_of_the_reference(index, name):
    assert band(index) == name


def test_remaining_life_shrinks_with_use_and_faster_ageing():
    base = remaining_useful_life(0.3, 0.3, 0.1, 0.6, 8766)
    assert base.low <= base.years <= base.high
    assert remaining_useful_life(0.6, 0.3, 0.1, 0.6, 8766).years < base.years
    assert remaining_useful_life(0.3, 0.9, 0.1, 0.9, 8766).years < base.years
    assert remaining_useful_life(1.2, 0.3, 0.1, 0.6, 8766).years == 0.0
    # A day of cool readings says little about a year: the expected life's spread shows.
    early = remaining_useful_life(0.3, 0.01, 0.01, 0.01, 24)
    assert early.low < early.years < early.high
    assert early.years == pytest.approx(0.7 * 60, rel=0.01)


ONAF = COOLING["ONAF"]
PARAMS = ThermalParams(*(np.array([v]) for v in (45.0, 25.0, 5.0, ONAF.n, ONAF.m, 150.0)))


def modelled(load_pu: np.ndarray, ambient: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hourly mean top oil and peak hot spot the IEEE model gives for hourly loads."""
    minutes = np.repeat(load_pu, 60)[:, None]
    amb = np.repeat(ambient, 60)[:, None]
    rise0 = ultimate_top_oil_rise(PARAMS, minutes[0])
    top, hot, _ = advance(PARAMS, minutes, amb, 1.0, (rise0, 0 * rise0))
    return top[:, 0].reshape(-1, 60).mean(axis=1), hot[:, 0].reshape(-1, 60).max(axis=1)


DAILY = 0.55 + 0.25 * np.sin(np.linspace(0, 2 * np.pi, 48))
AMBIENT = 20 + 6 * np.sin(np.linspace(0, 2 * np.pi, 48))


def test_top_oil_excess_is_near_zero_for_a_healthy_unit_and_sees_failed_cooling():
    top, _ = modelled(DAILY, AMBIENT)
    healthy = top_oil_excess(PARAMS, DAILY, AMBIENT, top, compare_from=24)
    assert healthy is not None and abs(healthy) < 1.5
    failed = top.copy()
    failed[30:36] += 20.0
    assert top_oil_excess(PARAMS, DAILY, AMBIENT, failed, compare_from=24) == pytest.approx(
        20.0, abs=1.5
    )
    gaps = DAILY.copy()
    gaps[28] = np.nan
    assert top_oil_excess(PARAMS, gaps, AMBIENT, top, compare_from=24) is not None
    assert top_oil_excess(PARAMS, DAILY * np.nan, AMBIENT, top) is None


def transformer_day(load_scale: float, extra_heat_c: float) -> TransformerDay:
    load = DAILY * load_scale
    top, hot = modelled(load, AMBIENT)
    top, hot = top + extra_heat_c, hot + extra_heat_c
    faa = np.array([aging_acceleration_factor(t) for t in hot[24:]])
    return TransformerDay(
        asset="t",
        service_years=30,
        insulation_consumed=0.4 + float(faa.sum()) / 180_000,
        ageing_rate=float(faa.mean()),
        ageing_rate_low=float(faa.min()),
        ageing_rate_high=float(faa.max()),
        observed_hours=24 * 30,
        peak_hot_spot_c=float(hot[24:].max()),
        top_oil_excess_c=top_oil_excess(PARAMS, load, AMBIENT, top, compare_from=24),
        peak_load_pu=float(load.max()),
        gases_ppm={"h2": 40, "ch4": 20, "c2h2": 0.3, "c2h4": 10, "c2h6": 25, "co": 350},
        tdcg_rate_ppm_day=1.0,
    )


def test_more_load_never_improves_health():
    scores = [assess(transformer_day(s, 0.0)) for s in np.linspace(0.5, 2.2, 18)]
    index = [a.health_index for a in scores]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(index)), index
    assert index[-1] < index[0]
    rul = [a.rul.years for a in scores if a.rul]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(rul)), rul


def test_more_heat_at_the_same_load_never_improves_health():
    scores = [assess(transformer_day(1.0, h)) for h in np.linspace(0, 60, 13)]
    index = [a.health_index for a in scores]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(index)), index
    assert scores[-1].worst_factor() in ("cooling", "hot_spot")
    pof = [a.probability_of_failure for a in scores]
    assert all(b >= a for a, b in itertools.pairwise(pof))


def test_fault_gases_pull_the_index_down_and_are_diagnosed():
    day = transformer_day(1.0, 0.0)
    gassing = TransformerDay(
        **{
            **day.__dict__,
            "gases_ppm": {"h2": 120, "ch4": 250, "c2h2": 0.3, "c2h4": 900, "c2h6": 60, "co": 400},
            "tdcg_rate_ppm_day": 700.0,
        }
    )
    a, b = assess(day), assess(gassing)
    assert b.health_index < a.health_index and b.worst_factor() == "dga"
    assert b.diagnosis["duval_zone"] == "T3" and b.band in ("poor", "very poor")
    assert math.isclose(sum(1 for f in b.factors if f.name == "dga"), 1)
