"""The insights as a self-contained HTML report (plotly, its JavaScript inlined once: opens without any network)."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from assistant.insights.model import Insights, Series


def _bar(title: str, data: dict[str, float], *, y_title: str = "") -> go.Figure:
    fig = go.Figure(go.Bar(x=list(data), y=list(data.values())))
    return fig.update_layout(title=title, yaxis_title=y_title)


def _stack(title: str, table: dict[str, dict[str, int]]) -> go.Figure:
    columns = sorted({c for row in table.values() for c in row})
    fig = go.Figure([go.Bar(name=reason, x=columns, y=[row.get(c, 0) for c in columns])
                     for reason, row in table.items()])
    return fig.update_layout(title=title, barmode="stack")


def _lines(title: str, series: Series) -> go.Figure:
    fig = go.Figure([go.Scatter(name=key, x=series.days, y=counts, mode="lines+markers", stackgroup="one")
                     for key, counts in series.counts.items()])
    return fig.update_layout(title=title)


def figures(report: Insights) -> dict[str, go.Figure]:
    c, r = report.conversations, report.returns
    return {
        "handoffs": _bar("Handoffs by reason", dict(c.handoffs_by_reason)),
        "csat_language": _bar("CSAT by language (1-5)", dict(c.csat_by_language)),
        "csat_intent": _bar("CSAT by intent (1-5)", dict(c.csat_by_intent)),
        "returns_country": _stack("Return reasons by destination country", r.by_reason_country),
        "returns_product": _stack("Return reasons by product", r.by_reason_product),
        "intents": _lines("Conversations by intent", report.intents_over_time),
        "languages": _lines("Conversations by language", report.languages_over_time),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _num(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:,.1f}{unit}"


def kpis(report: Insights) -> list[tuple[str, str]]:
    c, r = report.conversations, report.returns
    return [("Conversations", f"{c.conversations:,}"), ("Automated resolution", _pct(c.automated_resolution)),
            ("Handoff rate", _pct(c.handoff_rate)),
            ("Median first response", _num(c.median_first_response_minutes, " min")),
            ("Median resolution", _num(c.median_resolution_minutes, " min")),
            ("CSAT ratings", f"{c.csat_ratings:,}"), ("Returns", f"{r.returns:,}"),
            ("Refund value", f"${r.refund_value_usd:,.2f}"),
            ("Refund without return", _pct(r.refund_without_return_share)),
            ("Median approval", _num(r.median_approval_hours, " h"))]


def gaps_table(report: Insights) -> str:
    rows = []
    for gap in report.gaps:
        samples = "<br>".join(f"<span lang=\"{html.escape(s.language or '')}\">{html.escape(s.text)}</span>"
                              for s in gap.samples)
        card = (f'<a href="{html.escape(gap.closest_card_url)}">{html.escape(gap.closest_card or "")}</a>'
                if gap.closest_card_url else html.escape(gap.closest_card or "—"))
        gloss = html.escape(gap.gloss or "—") + (" <small>(machine translation)</small>"
                                                 if gap.gloss_source == "translation" else "")
        rows.append(f"<tr><td>{gap.count}</td><td>{samples}</td><td>{gloss}</td>"
                    f"<td>{card}</td></tr>")
    body = "".join(rows) or '<tr><td colspan="4">No unanswered questions in this period.</td></tr>'
    return ("<table class=\"gaps\"><thead><tr><th>asked</th><th>samples</th><th>English</th><th>closest card</th>"
            f"</tr></thead><tbody>{body}</tbody></table>")


STYLE = """body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem;color:#1d2433}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.5rem;margin:1rem 0}
.kpi{border:1px solid #d8dde6;border-radius:8px;padding:.6rem}.kpi b{display:block;font-size:1.4rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:1rem}
table.gaps{border-collapse:collapse;width:100%}table.gaps td,table.gaps th{border-bottom:1px solid #e3e7ee;
padding:.4rem;text-align:left;vertical-align:top}"""


def render_html(report: Insights, *, title: str = "Portside support insights") -> str:
    f = report.filters
    scope = ", ".join(f"{k} {v}" for k, v in (("language", f.language), ("country", f.country),
                                                ("channel", f.channel)) if v) or "all languages, countries, channels"
    cards = "".join(f'<div class="kpi">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in kpis(report))
    charts = "".join(f'<div class="chart" id="chart-{name}">'
                     f"{fig.to_html(full_html=False, include_plotlyjs=False, config={'responsive': True})}</div>"
                     for name, fig in figures(report).items())
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{html.escape(title)}"
            f"</title><style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{f.since:%Y-%m-%d %H:%M} – {f.until:%Y-%m-%d %H:%M} UTC · "
            f"{html.escape(scope)}</p><section class=\"kpis\">{cards}</section>"
            f"<section class=\"charts\">{charts}</section><h2>Questions the help centre should answer</h2>"
            f"{gaps_table(report)}</body></html>")


def as_json(report: Insights) -> dict[str, Any]:
    return report.model_dump(mode="json")
