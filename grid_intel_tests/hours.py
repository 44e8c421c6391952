"""The hours tests publish into, counted back from one instant fixed for the session.

Tests that share a broker each take an hour of their own by its distance from now.
Were `now` read anew in each test, an hour boundary passing between two of them would
hand both the same hour (`hour_ago(4)` before 11:00 is `hour_ago(5)` after it), and
each would then load the other's messages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

SESSION_HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def hour_ago(hours: int) -> datetime:
    """The start of the hour `hours` before the session's, the same in every test."""
    return SESSION_HOUR - timedelta(hours=hours)
