"""`portside privacy` (export, erase, requests, fulfil, refuse, purge) and `portside audit`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.audit import cli_actor
from assistant.cli.common import CliError, console, services_ctx
from assistant.insights.period import BadPeriod, parse_when
from assistant.privacy.requests import PrivacyError
from assistant.privacy.retention import run_retention
from assistant.privacy.subject import SubjectNotFound

privacy_app = typer.Typer(help="Data-subject rights: export, erase, requests, retention.", no_args_is_help=True)

CustomerOpt = Annotated[str | None, typer.Option("--customer", help="Portside customer id.")]
EmailOpt = Annotated[str | None, typer.Option("--email", help="The person's email.")]


def _person(customer: str | None, email: str | None) -> None:
    if bool(customer) == bool(email):
        raise CliError("give exactly one of --customer ID or --email E", code=2)


def parse_since(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    try:
        return parse_when(value, now)
    except BadPeriod as exc:
        raise CliError(f"--since: {exc}", code=2) from None


@privacy_app.command("export")
def export(customer: CustomerOpt = None, email: EmailOpt = None,
           out: Annotated[Path | None, typer.Option("--out", help="Write the JSON here (default: stdout).")] = None,
           ) -> None:
    """Everything Portside holds about one person, as one JSON document."""
    _person(customer, email)
    with services_ctx() as services:
        try:
            doc = services.privacy.export(cli_actor(), customer_id=customer, email=email)
        except SubjectNotFound as exc:
            raise CliError(str(exc)) from None
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {escape(str(out))}")


@privacy_app.command("erase")
def erase(customer: CustomerOpt = None, email: EmailOpt = None,
          yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False) -> None:
    """Delete or irreversibly anonymise one person everywhere (Slack messages through the outbox)."""
    _person(customer, email)
    if not yes and not typer.confirm(f"Erase {customer or email}? This cannot be undone"):
        raise CliError("not erased", code=1)
    with services_ctx() as services:
        try:
            result = services.privacy.erase(cli_actor(), customer_id=customer, email=email)
        except SubjectNotFound as exc:
            raise CliError(str(exc)) from None
    counts = ", ".join(f"{k} {v}" for k, v in result["counts"].items()) or "nothing else held"
    console.print(f"erased ({escape(counts)}); record {result['erasure_id']}")


@privacy_app.command("requests")
def requests(state: Annotated[str | None, typer.Option(help="open | fulfilled | refused")] = "open",
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Privacy requests from shoppers and store platforms, soonest deadline first."""
    with services_ctx() as services:
        try:
            rows = services.privacy.list(state or None)
        except PrivacyError as exc:
            raise CliError(str(exc), code=2) from None
    if as_json:
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    table = Table("id", "kind", "source", "customer", "law", "due", "state")
    for r in rows:
        table.add_row(r["id"], r["kind"], r["source"], escape(r["customer_id"] or r["customer_ref"] or "—"),
                      r["law"] or "—", f"{r['due_at']:%Y-%m-%d}", r["state"])
    console.print(table if rows else "no privacy requests")


def _decide(request_id: str, fulfil: bool, note: str) -> None:
    with services_ctx() as services:
        try:
            row = services.privacy.decide(request_id, fulfil, cli_actor(), note)
        except KeyError:
            raise CliError(f"no privacy request {request_id}") from None
        except PrivacyError as exc:
            raise CliError(str(exc)) from None
    extra = row.get("download_url") or ", ".join(f"{k} {v}" for k, v in row.get("counts", {}).items())
    console.print(f"{request_id}: {row['state']}" + (f" ({escape(extra)})" if extra else ""))


@privacy_app.command("fulfil")
def fulfil(request_id: str, note: Annotated[str, typer.Option(help="What was done.")] = "") -> None:
    """Fulfil a request: an erasure erases now; an access request sends the shopper a download link."""
    _decide(request_id, True, note)


@privacy_app.command("refuse")
def refuse(request_id: str, reason: Annotated[str, typer.Option(help="Told to the person.")] = "") -> None:
    """Refuse a request, with the reason the person is told."""
    _decide(request_id, False, reason)


@privacy_app.command("purge")
def purge(dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print what would go.")] = False,
          days: Annotated[int | None, typer.Option(help="Override PORTSIDE_RETENTION_DAYS.")] = None) -> None:
    """Delete transcripts, events and resolved handoffs older than the retention window."""
    with services_ctx() as services:
        window = days or services.settings.retention_days
        if window < 1:
            raise CliError("no retention window: set PORTSIDE_RETENTION_DAYS or pass --days", code=2)
        result = run_retention(services, dry_run=dry_run, actor=cli_actor(), days=window)
    verb = "would delete" if dry_run else "deleted"
    console.print(f"{verb} (last activity before {result.cutoff:%Y-%m-%d %H:%M} UTC): {result.sessions} "
                  f"conversations, {result.messages} messages, {result.events} events, {result.handoffs} handoffs")


def audit(since: Annotated[str | None, typer.Option(help="7d, 12h or an ISO date.")] = None,
          actor: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
          action: Annotated[str | None, typer.Option(help="Only this action (handoff.claim, …).")] = None,
          limit: Annotated[int, typer.Option(min=1, max=100000)] = 500,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The audit log: who changed what, when, from which channel."""
    with services_ctx() as services:
        start = parse_since(since, services.clock.now())
        rows = services.audit.entries(since=start, actor=actor, action=action, limit=limit)
    if as_json:
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    table = Table("when (UTC)", "actor", "channel", "action", "target", "detail")
    for r in rows:
        table.add_row(f"{r['at']:%Y-%m-%d %H:%M:%S}", escape(r["actor"]), r["channel"], r["action"],
                      escape(r["target"] or ""), escape(json.dumps(r["detail"], ensure_ascii=False)))
    console.print(table if rows else "no audit entries")
