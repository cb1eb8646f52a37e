"""Time inside business hours between two instants: a handoff raised on Friday night and answered on Monday morning
waited minutes of the team's time, not a weekend."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.policy.config import BusinessHours

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def business_seconds(start: datetime, end: datetime, hours: BusinessHours) -> float:
    """Seconds of [start, end) that fall on a working day between the opening and closing time, in the
    business's own time zone (daylight-saving changes included)."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(hours.timezone)
    opens, closes = time.fromisoformat(hours.start), time.fromisoformat(hours.end)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if DAYS[day.weekday()] in hours.days:
            window_start = datetime.combine(day, opens, zone)
            window_end = datetime.combine(day, closes, zone)
            lo, hi = max(window_start, local_start), min(window_end, local_end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total
