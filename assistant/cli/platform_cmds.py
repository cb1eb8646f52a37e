"""`portside sync …` (backfill the mirror from Shopify or WooCommerce) and `portside connect … --check`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli.common import CliError, console, services_ctx
from connectors.platforms.registry import registered
from connectors.writes import PlatformRejected, PlatformUnavailable


def _platform_name(name: str, configured: str) -> None:
    if name not in registered():
        raise CliError(f"unknown store platform {name!r}; known: {', '.join(registered())}")
    if configured != name:
        raise CliError(f"PORTSIDE_STORE is {configured!r}; set PORTSIDE_STORE={name} and its credentials first")


def sync(
    platform: Annotated[str, typer.Argument(help="shopify | woocommerce")],
    since: Annotated[str | None, typer.Option(help="Only orders changed on or after this date (YYYY-MM-DD).")] = None,
    restart: Annotated[bool, typer.Option(help="Start over instead of resuming an interrupted sync.")] = False,
) -> None:
    """Backfill the local mirror from the store platform (resumes after an interruption)."""
    from assistant.platform.sync import SyncError, backfill

    try:
        start = datetime.combine(date.fromisoformat(since), datetime.min.time(), UTC) if since else None
    except ValueError:
        raise CliError(f"--since must be a date like 2026-01-31, not {since!r}") from None
    with services_ctx() as services:
        _platform_name(platform, services.settings.store)
        with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("{task.completed} orders"), TimeElapsedColumn(), console=console,
                      transient=False) as bar:
            task = bar.add_task(f"sync {platform}", total=None)
            try:
                result = backfill(services, start, restart=restart, progress=lambda n: bar.advance(task, n))
            except (PlatformRejected, PlatformUnavailable, SyncError) as exc:
                raise CliError(f"sync stopped: {exc} (run the same command again to resume)") from None
        r = result.report.orders
        resumed = " (resumed)" if result.resumed_from else ""
        console.print(f"synced {result.orders} orders in {result.pages} pages{resumed}: {r.created} new, "
                      f"{r.updated} updated, {r.unchanged} unchanged")


def connect(
    platform: Annotated[str, typer.Argument(help="shopify | woocommerce")],
    check: Annotated[bool, typer.Option("--check", help="Call the store and list what its credentials allow.")]
    = False,
) -> None:
    """Check the connection to a store platform: which capabilities the credentials allow."""
    if not check:
        raise CliError("nothing to do: add --check to call the store and list what works")
    with services_ctx() as services:
        _platform_name(platform, services.settings.store)
        try:
            caps = services.platform.check()
        except ValueError as exc:  # missing settings
            raise CliError(str(exc)) from None
        except PlatformUnavailable as exc:
            raise CliError(f"cannot reach the store: {exc}") from None
        table = Table("capability", "", "what to do")
        for cap in caps:
            table.add_row(cap.name, "[green]ok[/green]" if cap.ok else "[red]no[/red]", cap.detail)
        console.print(table)
        missing = [c for c in caps if not c.ok]
        if missing:
            raise CliError(f"{len(missing)} capabilit{'y' if len(missing) == 1 else 'ies'} missing")
        console.print("everything Portside needs works")
