"""Printable return label (PDF, A6) with the RMA id as a Code 39 barcode."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from connectors.models import Order


def _latin(text: str) -> str:
    # The built-in PDF fonts are Latin-1; names in other scripts are transliterated by the carrier anyway.
    return text.encode("latin-1", "replace").decode("latin-1")


def render_label(rma: dict[str, Any], order: Order, ship_to: str) -> bytes:
    pdf = FPDF(format=(105, 148))  # A6
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_title(f"Return label {rma['rma_id']}")
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 8, "RETURN - Portside", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=9)
    sender = order.shipping_address
    lines = [
        f"RMA: {rma['rma_id']}",
        f"Order: {order.id}",
        f"Items: {', '.join(str(i['sku']) + ' x' + str(i['quantity']) for i in rma['items'])}",
        "From:",
        f"  {sender.name}",
        f"  {sender.line1}",
        f"  {sender.postal_code or ''} {sender.city} {sender.country}",
        "To:",
        *[f"  {part.strip()}" for part in ship_to.split(",")],
        "Postage: prepaid" if rma["fee"] == 0 else f"Return fee: {rma['fee']:.2f} {rma['currency']}",
    ]
    for line in lines:
        pdf.cell(0, 5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.code39(f"*{rma['rma_id'].upper()}*", x=6, y=pdf.get_y() + 3, w=0.9, h=14)
    pdf.set_y(pdf.get_y() + 20)
    pdf.set_font("helvetica", size=8)
    pdf.cell(0, 4, _latin(rma["rma_id"]), align="C")
    return bytes(pdf.output())
