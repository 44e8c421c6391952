"""Laid-out assets stay inside Manitoba."""

import pytest

from grid_intel.grid.geography import inside, pull_inside
from grid_intel.grid.regions import REGIONS
from grid_intel.grid.registry import build_registry


@pytest.mark.parametrize("scale", [1, 4])
def test_every_substation_is_in_the_province(scale):
    for s in build_registry(scale).substations:
        assert inside(s.lat, s.lon), s.id
        assert 49.0 < s.lat < 60.0 and -102.0 < s.lon < -88.9


def test_points_outside_are_pulled_in_towards_their_region():
    winnipeg = next(r for r in REGIONS if r.id == "winnipeg")
    assert all(inside(r.lat, r.lon) for r in REGIONS)
    assert not inside(48.5, -97.1)  # North Dakota
    lat, lon = pull_inside(48.5, -97.1, (winnipeg.lat, winnipeg.lon))
    assert inside(lat, lon) and 49.0 < lat < winnipeg.lat
    assert pull_inside(50.0, -97.0, (winnipeg.lat, winnipeg.lon)) == (50.0, -97.0)
