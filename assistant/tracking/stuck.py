"""The stuck-parcel list staff work from: by carrier and destination, with days since the last scan."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from assistant.runtime import Services
from assistant.slack.blocks import esc
from assistant.tracking.service import TrackingService


@dataclass(frozen=True)
class StuckParcel:
    tracking_number: str
    order_id: str
    carrier: str
    country: str
    status: str
    days: int


def stuck_parcels(tracking: TrackingService, *, country: str | None = None, carrier: str | None = None,
                  now: datetime | None = None) -> list[StuckParcel]:
    rows = [StuckParcel(s.tracking_number, s.order_id, s.carrier, s.country, s.status, days)
            for s, days in tracking.stalled(now)]
    if country:
        rows = [r for r in rows if r.country.upper() == country.upper()]
    if carrier:
        rows = [r for r in rows if carrier.casefold() in r.carrier.casefold()]
    return rows


def split_filter(arg: str) -> tuple[str | None, str | None]:
    """`stuck BR` filters by destination country, `stuck Correios` by carrier."""
    arg = arg.strip()
    if not arg:
        return None, None
    return (arg.upper(), None) if len(arg) == 2 and arg.isalpha() else (None, arg)


def stuck_text(rows: list[StuckParcel], limit: int = 40) -> str:
    """Slack mrkdwn: counts by carrier and destination, then the parcels, longest silence first."""
    if not rows:
        return "No stuck parcels. :tada:"
    by = Counter((r.carrier, r.country) for r in rows)
    head = ", ".join(f"{esc(c)} → {esc(k)}: {n}" for (c, k), n in by.most_common())
    lines = [f"*Stuck parcels: {len(rows)}* ({head})"]
    lines += [f"• `{esc(r.tracking_number)}` {esc(r.carrier)} → {esc(r.country)} · {r.days} days since the last scan "
              f"· {esc(r.status)} · order {esc(r.order_id)}" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"… and {len(rows) - limit} more")
    return "\n".join(lines)


def queue_daily_digest(services: Services) -> bool:
    """Queue today's stuck-parcel list for the handoff channel once the policy's hour has come. The outbox key is
    the date, so several servers (and every later tick) queue it once."""
    from assistant.slack.delivery import TEXT

    now = services.clock.now()
    if now.hour < services.policy.tracking.digest_hour_utc:
        return False
    rows = stuck_parcels(services.tracking, now=now)
    services.outbox.add(TEXT, f"stuck-digest:{now.date().isoformat()}",
                        {"text": f"*Daily stuck-parcel list, {now.date().isoformat()}*\n{stuck_text(rows)}"})
    return True
