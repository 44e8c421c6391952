"""Column layouts written as a migration or an export's header writes them."""


def columns(layout: str) -> tuple[tuple[str, str], ...]:
    """`"day timestamptz, region text"` as `(("day", "timestamptz"), ("region", "text"))`:
    a table's or an export's columns, each a name and its type."""
    return tuple((name, kind) for name, kind in (c.split() for c in layout.split(",")))
