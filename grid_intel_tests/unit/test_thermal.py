"""IEEE C57.91 thermal model and ageing against the standard's anchor values."""

import math

import numpy as np
import pytest

from grid_intel.grid.equipment import Transformer
from grid_intel.health.thermal import (
    ThermalParams,
    ageing_acceleration,
    loss_of_life_pct,
    relative_ageing_iec,
    simulate,
)


def tx(cooling="ONAF", top=55.0, hs=25.0, r=5.0) -> Transformer:
    return Transformer("t", "s", 50.0, 115.0, 25.0, cooling, top, hs, r, 2000, True)


def test_rated_load_at_30c_reaches_the_110c_reference_hot_spot():
    p = ThermalParams.of([tx(top=55.0, hs=25.0)])
    top, hot = simulate(p, np.full((10, 1), 1.0), np.full((10, 1), 30.0), dt_min=60)
    assert top[-1, 0] == pytest.approx(85.0)
    assert hot[-1, 0] == pytest.approx(110.0)
    assert ageing_acceleration(hot[-1, 0]) == pytest.approx(1.0)


def test_ultimate_rises_follow_the_exponents():
    p = ThermalParams.of([tx("ONAN", top=50.0, hs=20.0, r=4.0)])
    top, hot = simulate(p, np.full((2, 1), 1.3), np.zeros((2, 1)), dt_min=60)
    top_u = 50.0 * ((1.3**2 * 4 + 1) / 5) ** 0.8
    assert top[-1, 0] == pytest.approx(top_u)
    assert hot[-1, 0] - top[-1, 0] == pytest.approx(20.0 * 1.3 ** (2 * 0.8))


def test_top_oil_approaches_exponentially_with_the_class_time_constant():
    p = ThermalParams.of([tx("ONAF")])  # τ = 150 min
    load = np.concatenate([np.full(1, 0.5), np.full(150, 1.2)])[:, None]
    top, _ = simulate(p, load, np.zeros_like(load), dt_min=1.0)
    start = top[0, 0]
    ultimate = 55.0 * ((1.2**2 * 5 + 1) / 6) ** 0.9
    progress = (top[150, 0] - start) / (ultimate - start)
    assert progress == pytest.approx(1 - math.exp(-150 / 150), abs=0.01)


def test_ageing_anchor_points():
    assert relative_ageing_iec(98.0) == pytest.approx(1.0)
    assert relative_ageing_iec(104.0) == pytest.approx(2.0)
    assert ageing_acceleration(120.0) == pytest.approx(2.7, abs=0.1)
    assert loss_of_life_pct(np.full(24, 110.0), 180_000) == pytest.approx(100.0)
    assert loss_of_life_pct(np.full(24, 80.0), 24) < loss_of_life_pct(np.full(24, 110.0), 24)
