import numpy as np

from grid_intel.simulation.noise import smooth_noise


def test_noise_is_standard_and_smooth():
    hours = np.arange(0, 24 * 365, 0.25)
    x = smooth_noise(1, "k", hours, 6.0)
    assert abs(x.mean()) < 0.1 and 0.85 < x.std() < 1.15
    assert np.abs(np.diff(x)).max() < 0.6  # no jumps between quarter-hours


def test_noise_depends_only_on_seed_key_and_time():
    hours = np.array([10.0, 11.5, 1000.25])
    assert np.array_equal(smooth_noise(1, "k", hours, 6.0), smooth_noise(1, "k", hours, 6.0))
    assert np.array_equal(
        smooth_noise(1, "k", hours[1:], 6.0), smooth_noise(1, "k", hours, 6.0)[1:]
    )
    assert not np.array_equal(smooth_noise(2, "k", hours, 6.0), smooth_noise(1, "k", hours, 6.0))
    assert not np.array_equal(smooth_noise(1, "j", hours, 6.0), smooth_noise(1, "k", hours, 6.0))
