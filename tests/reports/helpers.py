"""The reports tests' calendar: the day reported (30 June 2026) and the program's start."""

from datetime import UTC, date, datetime

DAY = date(2026, 6, 30)
START = date(2026, 1, 1)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
