"""Manitoba's outline, roughly, so assets laid out around a region stay in the province."""

from __future__ import annotations

# (lon, lat) vertices, approximate: the 49th parallel, the Ontario border (a meridian,
# then the diagonal to Hudson Bay), the bay's coast to 60° N, and the Saskatchewan border.
OUTLINE: tuple[tuple[float, float], ...] = (
    (-101.36, 49.0),
    (-95.15, 49.0),
    (-95.15, 52.83),
    (-89.0, 56.85),
    (-92.4, 57.05),
    (-94.17, 58.77),
    (-94.8, 60.0),
    (-102.0, 60.0),
    (-102.0, 55.8),
    (-101.36, 55.8),
)


def inside(lat: float, lon: float) -> bool:
    """Whether a point lies inside the outline (even-odd ray casting)."""
    hit = False
    n = len(OUTLINE)
    for i in range(n):
        (x1, y1), (x2, y2) = OUTLINE[i], OUTLINE[(i + 1) % n]
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def pull_inside(lat: float, lon: float, centre: tuple[float, float]) -> tuple[float, float]:
    """The point, or if it falls outside, the point most of the way from `centre` to the border.

    `centre` (lat, lon) must lie inside; the result keeps a margin from the border.
    """
    if inside(lat, lon):
        return lat, lon
    lo, hi = 0.0, 1.0  # fractions of the way from the centre to the point
    for _ in range(30):
        mid = (lo + hi) / 2
        if inside(centre[0] + mid * (lat - centre[0]), centre[1] + mid * (lon - centre[1])):
            lo = mid
        else:
            hi = mid
    f = 0.9 * lo
    return round(centre[0] + f * (lat - centre[0]), 4), round(centre[1] + f * (lon - centre[1]), 4)


# Off-grid communities served by diesel plants (approximate coordinates, lat, lon).
COMMUNITIES: dict[str, tuple[float, float]] = {
    "brochet": (57.88, -101.67),
    "lac_brochet": (58.62, -101.47),
    "shamattawa": (55.86, -92.09),
    "tadoule_lake": (58.61, -98.82),
}
