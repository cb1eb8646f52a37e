"""`portside tracking …`: the stuck-parcel list and registering open shipments with the tracker."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.common import CliError, console, services_ctx
from assistant.tracking.factory import TrackingConfigError
from assistant.tracking.stuck import stuck_parcels

tracking_app = typer.Typer(help="Parcel tracking.", no_args_is_help=True)


@tracking_app.command("stuck")
def stuck(
    country: Annotated[str | None, typer.Option(help="Destination country (ISO code).")] = None,
    carrier: Annotated[str | None, typer.Option(help="Carrier name (part of it is enough).")] = None,
) -> None:
    """Parcels with no scan for longer than their route allows (policy tracking.stalled_days)."""
    with services_ctx() as services:
        try:
            rows = stuck_parcels(services.tracking, country=country, carrier=carrier)
        except TrackingConfigError as exc:
            raise CliError(str(exc)) from None
        table = Table("tracking number", "carrier", "to", "status", "days since last scan", "order")
        for r in rows:
            table.add_row(r.tracking_number, r.carrier, r.country, r.status, str(r.days), r.order_id)
        console.print(table)
        console.print(f"{len(rows)} stuck parcel(s)")


@tracking_app.command("register")
def register() -> None:
    """Queue every open shipment for registration with the configured tracker (the server's outbox sends them)."""
    with services_ctx() as services:
        try:
            tracking = services.tracking
        except TrackingConfigError as exc:
            raise CliError(str(exc)) from None
        if not tracking.enabled:
            raise CliError("no tracker configured: set PORTSIDE_TRACKING=aftership or 17track and its key")
        console.print(f"queued {tracking.register_open()} shipment(s)")
