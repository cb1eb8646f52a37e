"""`portside report`: the support insights for a period, as a table, JSON or a self-contained HTML file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.common import CliError, console, services_ctx
from assistant.insights.compute import compute
from assistant.insights.model import Filters
from assistant.insights.period import BadPeriod, parse_when
from assistant.insights.report import kpis, render_html


def report(since: Annotated[str, typer.Option(help="7d, 12h, 2w or an ISO date.")] = "7d",
           until: Annotated[str | None, typer.Option(help="End (default now).")] = None,
           language: Annotated[str | None, typer.Option(help="Only this language.")] = None,
           country: Annotated[str | None, typer.Option(help="Only shoppers in this country.")] = None,
           channel: Annotated[str | None, typer.Option(help="Only this client (web, cli, …).")] = None,
           html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report.")] = None,
           json_out: Annotated[Path | None, typer.Option("--json", help="Write the numbers as JSON.")] = None) -> None:
    """Resolution, handoffs, response times, CSAT, return reasons and knowledge gaps for a period."""
    with services_ctx() as services:
        now = services.clock.now()
        try:
            filters = Filters(since=parse_when(since, now), until=parse_when(until, now) if until else now,
                              language=language, country=country, channel=channel)
        except BadPeriod as exc:
            raise CliError(str(exc), code=2) from None
        if filters.until <= filters.since:
            raise CliError("--until must be after --since", code=2)
        result = compute(services, filters)
    if json_out:
        json_out.write_text(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
        console.print(f"wrote {escape(str(json_out))}")
    if html:
        html.write_text(render_html(result), encoding="utf-8")
        console.print(f"wrote {escape(str(html))}")
    table = Table("measure", "value", title=f"{filters.since:%Y-%m-%d} – {filters.until:%Y-%m-%d}")
    for name, value in kpis(result):
        table.add_row(name, value)
    console.print(table)
    for gap in result.gaps[:5]:
        console.print(f"• {gap.count}× {escape(gap.samples[0].text)} → {escape(gap.closest_card or '—')}")
