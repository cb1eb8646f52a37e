"""The weekly digest in Slack: last week's numbers in a few lines and a chart image, posted once per week (the outbox
key is the ISO week) after Monday 08:00 in the team's business time zone."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assistant.insights.compute import compute
from assistant.insights.model import Filters, Insights
from assistant.insights.report import kpis

if TYPE_CHECKING:
    from assistant.runtime import Services

TOPIC = "slack.weekly_digest"
SEND_AFTER = time(8, 0)  # Monday, local business time


def last_week(now: datetime, timezone: str) -> tuple[str, datetime, datetime] | None:
    """(ISO week key, start, end) of the week that ended last Monday 00:00 local, once Monday's SEND_AFTER has
    passed; None before that on a Monday morning."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), local.tzinfo)
    if local.weekday() == 0 and local.time() < SEND_AFTER:
        return None
    start = monday - timedelta(days=7)
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}", start, monday


def queue_weekly_digest(services: Services) -> bool:
    """Queue last week's digest once (a second call in the same week, on any server, adds nothing)."""
    due = last_week(services.clock.now(), services.policy.handoff.business_hours.timezone)
    if due is None:
        return False
    key, start, end = due
    services.outbox.add(TOPIC, f"digest:{key}", {"week": key, "since": start.isoformat(), "until": end.isoformat()})
    return True


def digest_text(report: Insights, week: str) -> str:
    lines = [f"*Support digest, week {week}*"]
    lines += [f"• {name}: *{value}*" for name, value in kpis(report)]
    reasons = report.conversations.handoffs_by_reason
    if reasons:
        lines.append("Handoffs: " + ", ".join(f"{r} {n}" for r, n in list(reasons.items())[:5]))
    top = sorted(((n, reason, country) for reason, row in report.returns.by_reason_country.items()
                  for country, n in row.items()), reverse=True)[:3]
    if top:
        lines.append("Top return reasons: " + ", ".join(f"{r} in {c} ({n})" for n, r, c in top))
    if report.gaps:
        lines.append("Unanswered questions: " + "; ".join(
            f"“{g.gloss or g.samples[0].text}” ×{g.count}" for g in report.gaps[:3]))
    return "\n".join(lines)


def chart_png(report: Insights) -> bytes:
    """Conversations per day by language, and handoffs by reason (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=100)
    series = report.languages_over_time
    bottom = [0] * len(series.days)
    labels = [d[5:] for d in series.days]
    for lang, counts in series.counts.items():
        left.bar(labels, counts, bottom=bottom, label=lang)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    left.set_title("Conversations by language")
    if series.counts:
        left.legend(fontsize=7, ncol=3)
    reasons = report.conversations.handoffs_by_reason
    right.barh(list(reasons)[::-1], list(reasons.values())[::-1], color="#0b6e4f")
    right.set_title("Handoffs by reason")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def deliver(services: Services, client: Any, channel: str, payload: dict[str, Any]) -> None:
    filters = Filters(since=datetime.fromisoformat(payload["since"]), until=datetime.fromisoformat(payload["until"]))
    report = compute(services, filters)
    client.files_upload_v2(channel=channel, content=None, file=chart_png(report),
                           filename=f"portside-{payload['week']}.png", title=f"Support, week {payload['week']}",
                           initial_comment=digest_text(report, payload["week"]))
