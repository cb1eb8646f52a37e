"""Store commands: import, demo-data, orders show/find."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli.common import CliError, console, err_console, services_ctx
from assistant.cli.render import render_order
from assistant.runtime import Services
from connectors import demo
from connectors.importer import ImportRejected, import_data, load_json_file, parse_document
from connectors.models import StoreData
from connectors.sql.store import UpsertReport

orders_app = typer.Typer(help="Look up orders.", no_args_is_help=True)


def _write(services: Services, data: StoreData, replace: bool) -> UpsertReport:
    with Progress(TextColumn("[bold]importing orders"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=len(data.orders) < 2000) as bar:
        task = bar.add_task("orders", total=len(data.orders))
        return import_data(services.store, data, replace=replace, progress=lambda n: bar.advance(task, n))


def _summary(report: UpsertReport) -> None:
    table = Table(title="Import summary")
    for col in ("", "created", "updated", "unchanged"):
        table.add_column(col, justify="right" if col else "left")
    for name in ("customers", "products", "orders"):
        counts = getattr(report, name)
        table.add_row(name, str(counts.created), str(counts.updated), str(counts.unchanged))
    console.print(table)


def import_cmd(
    file: Annotated[Path, typer.Argument(help="JSON file in the import format (docs/import-format.md).")],
    replace: Annotated[bool, typer.Option("--replace", help="Delete the current store data first.")] = False,
) -> None:
    """Validate FILE, then upsert it in one transaction (idempotent). Exit code 1 on invalid input."""
    with services_ctx() as services:
        try:
            data = parse_document(load_json_file(file))
            report = _write(services, data, replace)
        except ImportRejected as exc:
            err_console.print(f"[red]import rejected, nothing written[/red] ({len(exc.problems)} problem(s)):")
            for problem in exc.problems[:200]:
                err_console.print(f"  {problem.path}: {problem.message}", markup=False, highlight=False)
            if len(exc.problems) > 200:
                err_console.print(f"  … and {len(exc.problems) - 200} more")
            raise typer.Exit(1) from None
        _summary(report)


def ensure_demo_store(services: Services, orders: int = 300, seed: int = 7) -> bool:
    """Create the demo store when the database has no orders; returns whether it did."""
    if services.store.counts()["orders"]:
        return False
    doc = demo.generate(orders=orders, seed=seed, now=services.clock.now(), fx=services.policy.fx_to_usd,
                        cash_methods=services.policy.returns.cash_payment_methods)
    import_data(services.store, StoreData.model_validate(doc))
    return True


def demo_data_cmd(
    orders: Annotated[int, typer.Option("--orders", min=1, max=2_000_000, help="How many orders.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same store.")] = 7,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the import document here.")] = None,
    replace: Annotated[bool, typer.Option("--replace/--merge", help="Replace the store (default).")] = True,
) -> None:
    """Write a deterministic cross-border demo store (dates relative to the clock, PORTSIDE_NOW)."""
    with services_ctx() as services:
        doc = demo.generate(orders=orders, seed=seed, now=services.clock.now(), fx=services.policy.fx_to_usd,
                            cash_methods=services.policy.returns.cash_payment_methods)
        if json_out:
            json_out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
            console.print(f"wrote {json_out}")
        report = _write(services, StoreData.model_validate(doc), replace)
        _summary(report)


@orders_app.command("show")
def orders_show(order_id: str) -> None:
    """Print one order with items, shipments and tracking."""
    with services_ctx() as services:
        order = services.store.get_order(order_id.strip().lstrip("#"))
        if order is None:
            raise CliError(f"order {order_id} not found")
        customer = services.store.get_customer(order.customer_id)
        render_order(console, order, customer)


@orders_app.command("find")
def orders_find(email: Annotated[str, typer.Option("--email", help="Customer e-mail.")]) -> None:
    """List a customer's orders by e-mail."""
    with services_ctx() as services:
        orders = services.store.orders_for_email(email)
        if not orders:
            raise CliError(f"no orders for {email}")
        table = Table(title=f"Orders of {email}")
        for col in ("order", "placed", "status", "total", "payment", "shipments"):
            table.add_column(col)
        for o in orders:
            table.add_row(o.id, o.placed_at.date().isoformat(), o.status, f"{o.total:,.2f} {o.currency}",
                          o.payment_method, ", ".join(f"{s.tracking_number} ({s.status})" for s in o.shipments))
        console.print(table)
