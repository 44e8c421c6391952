"""Physical bounds per measurement class, in canonical units.

These are the widest values the equipment can show (the registry's point
ranges sit inside them); a reading outside is a broken sensor or a broken
conversion, never weather.
"""

from __future__ import annotations

FREQUENCY_HARD_HZ = (59.0, 61.0)  # beyond these under-frequency load shedding has acted
FREQUENCY_NORMAL_HZ = (59.9, 60.1)
LMP_ABS_MAX = 2000.0  # MISO's cost-verified offer cap, $/MWh

MEASUREMENT_BOUNDS: dict[str, tuple[float, float]] = {
    "frequency_hz": FREQUENCY_HARD_HZ,
    "voltage_kv": (0.0, 600.0),
    "ambient_temp_c": (-50.0, 45.0),
    "top_oil_temp_c": (-50.0, 150.0),
    "hot_spot_temp_c": (-50.0, 200.0),
    "conductor_temp_c": (-50.0, 150.0),
    "load_mw": (0.0, 6100.0),  # the system's whole generating capability
    "load_mva": (0.0, 1200.0),
    "active_power_mw": (-5000.0, 5000.0),
    "reactive_power_mvar": (-2000.0, 2000.0),
    "current_a": (0.0, 14400.0),
    "h2_ppm": (0.0, 50000.0),
    "ch4_ppm": (0.0, 50000.0),
    "c2h2_ppm": (0.0, 50000.0),
    "c2h4_ppm": (0.0, 50000.0),
    "c2h6_ppm": (0.0, 50000.0),
    "co_ppm": (0.0, 50000.0),
}
