"""The columns of `gold.equipment_health`, in the order `fleet.Scored.row` gives them."""

COLUMNS: tuple[tuple[str, str], ...] = (
    ("day", "timestamptz"),
    ("asset", "text"),
    ("asset_kind", "text"),
    ("substation", "text"),
    ("region", "text"),
    ("health_index", "float8"),
    ("band", "text"),
    ("worst_factor", "text"),
    ("cnaim_health_score", "float8"),
    ("failure_probability", "float8"),
    ("rul_years", "float8"),
    ("rul_low_years", "float8"),
    ("rul_high_years", "float8"),
    ("factors", "jsonb"),
    ("diagnosis", "jsonb"),
)
