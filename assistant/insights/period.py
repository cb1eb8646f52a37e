"""Periods as people type them: '7d', '12h', '30m' back from now, or an ISO date/time (UTC when no offset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

UNITS = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}


class BadPeriod(ValueError):
    pass


def parse_when(value: str, now: datetime) -> datetime:
    value = value.strip()
    if value[-1:] in UNITS and value[:-1].isdigit():
        return now - timedelta(**{UNITS[value[-1]]: int(value[:-1])})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadPeriod(f"expected 7d, 12h, 2w or an ISO date like 2026-12-01, not {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
