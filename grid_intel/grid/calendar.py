"""Manitoba's statutory holidays and local time, for demand profiles; the UTC days
that windows and archives cover."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[date]:
    """General holidays under The Employment Standards Code (Manitoba)."""
    victoria = date(year, 5, 24) - timedelta(days=(date(year, 5, 24).weekday()) % 7)
    days = {
        date(year, 1, 1),  # New Year's Day
        _nth_weekday(year, 2, 0, 3),  # Louis Riel Day
        _easter(year) - timedelta(days=2),  # Good Friday
        victoria,  # Victoria Day: the Monday before May 25
        date(year, 7, 1),  # Canada Day
        _nth_weekday(year, 9, 0, 1),  # Labour Day
        _nth_weekday(year, 10, 0, 2),  # Thanksgiving
        date(year, 11, 11),  # Remembrance Day
        date(year, 12, 25),  # Christmas Day
    }
    if year >= 2023:
        days.add(date(year, 9, 30))  # National Day for Truth and Reconciliation
    return frozenset(days)


def is_holiday(day: date) -> bool:
    return day in statutory_holidays(day.year)


def utc_days(start: datetime, end: datetime) -> list[date]:
    """The UTC days [start, end) touches."""
    if end <= start:
        raise ValueError(f"end {end:%Y-%m-%d %H:%M} is not after start {start:%Y-%m-%d %H:%M}")
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
