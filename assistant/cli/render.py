"""Rich renderings shared by CLI commands."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from connectors.models import Customer, Order


def render_order(console: Console, order: Order, customer: Customer | None) -> None:
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"[bold]{order.status}[/bold]")
    head.add_row("placed", order.placed_at.isoformat())
    who = f"{customer.name} <{customer.email}> {customer.country}" if customer else order.customer_id
    head.add_row("customer", who)
    head.add_row("payment", order.payment_method)
    head.add_row("total", f"{order.total:,.2f} {order.currency}")
    if order.duties:
        head.add_row("duties", f"{order.duties.amount:,.2f} {order.duties.currency} ({order.duties.status})")
    a = order.shipping_address
    head.add_row("ship to", ", ".join(p for p in (a.name, a.line1, a.city, a.postal_code, a.country) if p))
    items = Table(title="items")
    for col in ("sku", "name", "qty", "unit price"):
        items.add_column(col)
    for it in order.items:
        items.add_row(it.sku, it.name, str(it.quantity), f"{it.unit_price:,.2f}")
    parts: list[object] = [head, items]
    for s in order.shipments:
        ev = Table(title=f"{s.carrier} {s.tracking_number}: {s.status} (ETA {s.estimated_delivery})")
        for col in ("when", "status", "where", "what"):
            ev.add_column(col)
        for e in sorted(s.events, key=lambda e: e.at):
            ev.add_row(e.at.strftime("%Y-%m-%d %H:%M"), e.status, e.location or "", e.description or "")
        parts.append(ev)
    console.print(Panel(Group(*parts), title=f"Order {order.id}"))  # type: ignore[arg-type]
