"""The hypothesis settings every fuzz test shares: reproducible in CI, no example
database, no deadline on a busy 2-core machine."""

from hypothesis import HealthCheck, settings

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
