"""Availability: the slots people tick in their own time zone, as hours of a common week
in UTC, so that people in different time zones are compared on the same clock."""

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

DAYS = ["mon", "tue", "wed", "thu", "fri"]
# Local hours each part of the day covers.
PARTS = {"morning": range(9, 12), "midday": range(12, 14), "afternoon": range(14, 17)}
HOURS_A_WEEK = 7 * 24
# A fixed Monday, so that a time zone's offset (and its daylight saving) is read the same
# way every time: the result never depends on the day the matching runs.
REFERENCE_MONDAY = datetime(2027, 3, 1)


@lru_cache(maxsize=4096)
def utc_hours(slot: str, time_zone: str) -> frozenset[int]:
    """The hours of the UTC week (0 = Monday 00:00 UTC) that a local slot such as
    "tue-morning" covers; an unknown slot or time zone covers none."""
    day, _, part = slot.partition("-")
    if day not in DAYS or part not in PARTS:
        return frozenset()
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    date = REFERENCE_MONDAY + timedelta(days=DAYS.index(day))
    hours = set()
    for hour in PARTS[part]:
        local = date.replace(hour=hour, tzinfo=zone)
        offset = local.utcoffset() or timedelta(0)
        week_hour = DAYS.index(day) * 24 + hour - int(offset.total_seconds() // 3600)
        hours.add(week_hour % HOURS_A_WEEK)
    return frozenset(hours)


def week_vector(slots, time_zone: str) -> np.ndarray:
    """A 0/1 vector over the hours of the UTC week."""
    vector = np.zeros(HOURS_A_WEEK, dtype=np.float32)
    for slot in slots:
        for hour in utc_hours(slot, time_zone):
            vector[hour] = 1.0
    return vector
