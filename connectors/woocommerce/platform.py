"""WooCommerce as a Portside store platform: reads, idempotent writes, signed webhooks, a permission check.

WooCommerce core has no returns: Portside's RMAs are the record, mirrored into order notes that staff see in the
WooCommerce admin. Every write leaves a note carrying the action id; before writing, the order's notes and
refunds are read, and a write whose note or refund is already there is not made again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from connectors.platforms.base import Capability, Fetched, Page, PlatformWebhook
from connectors.platforms.common import signed_delivery
from connectors.woocommerce.client import WooClient, WooError
from connectors.woocommerce.mapping import customer_alone, order_of
from connectors.writes import (
    CancelOrder,
    ChangeAddress,
    DecideReturn,
    PlatformRejected,
    PlatformWrite,
    RefundWithoutReturn,
    RequestReturn,
    WriteResult,
)

WC, ST = "wc/v3", "wc-shipment-tracking/v3"
PAGE_SIZE = 50
CANCELLABLE = {"pending", "processing", "on-hold"}


def marker(action_id: str) -> str:
    return f"[Portside {action_id}]"


class WooCommercePlatform:
    name = "woocommerce"
    # "#4211", "4211", "# 4211": WooCommerce numbers orders by post id, so any length from 2 digits.
    order_pattern = r"#\s?\d{2,10}|\d{3,10}"

    def __init__(self, client: WooClient, webhook_secret: str, final_sale_tag: str = "final-sale") -> None:
        self.client = client
        self.webhook_secret = webhook_secret
        self.final_sale_tag = final_sale_tag
        self._tracking_extension: bool | None = None
        self._by_kind: dict[str, Callable[[Any, dict[str, Any]], WriteResult]] = {
            "cancel_order": self._cancel, "change_address": self._address, "return_request": self._return,
            "return_decision": self._decide, "refund": self._refund}

    def close(self) -> None:
        self.client.close()

    # -- reads ---------------------------------------------------------------------------------
    def _with_products(self, orders: list[dict[str, Any]], live: bool = False) -> Fetched:
        ids = sorted({li.get("variation_id") or li["product_id"] for o in orders for li in o.get("line_items") or []
                      if li.get("variation_id") or li.get("product_id")})
        products: dict[int, dict[str, Any]] = {}
        if ids:
            for p in self.client.get(f"{WC}/products", include=",".join(map(str, ids)), per_page=100):
                products[int(p["id"])] = p
        fetched = Fetched()
        for o in orders:
            items = self._trackings(o["id"]) if live and self.tracking_extension() else None
            fetched = fetched + order_of(o, products, self.final_sale_tag, items)
        return fetched

    def tracking_extension(self) -> bool:
        """Whether the store runs the Shipment Tracking extension (its REST namespace answers)."""
        if self._tracking_extension is None:
            try:
                self.client.request("GET", f"{ST}/shipment-trackings/providers", budget=5)
                self._tracking_extension = True
            except WooError:
                self._tracking_extension = False
        return self._tracking_extension

    def _trackings(self, order_id: int) -> list[dict[str, Any]] | None:
        try:
            return list(self.client.get(f"{ST}/orders/{order_id}/shipment-trackings"))
        except WooError:
            return None

    def fetch_order(self, ref: str) -> Fetched | None:
        number = ref.strip().lstrip("#").strip()
        if not number.isdigit():
            return None
        try:
            order = self.client.get(f"{WC}/orders/{number}")
        except WooError as exc:
            if exc.status not in (400, 404):
                raise
            order = None
        if order is None or str(order.get("number")) != number:  # a custom number: search for it
            found = [o for o in self.client.get(f"{WC}/orders", search=number, per_page=10)
                     if str(o.get("number")) == number]
            order = found[0] if found else None
        if order is None:
            return None
        fetched = self._with_products([order], live=True)
        return fetched if fetched.remote_ids else None

    def fetch_remote(self, remote_id: str) -> Fetched | None:
        try:
            order = self.client.get(f"{WC}/orders/{int(remote_id)}")
        except WooError as exc:
            if exc.status in (400, 404):
                return None
            raise
        return self._with_products([order], live=True)

    def fetch_customer(self, customer_id: str) -> Fetched:
        if not customer_id.isdigit():
            return Fetched()
        fetched = self._with_products(self.client.get(f"{WC}/orders", customer=customer_id, per_page=PAGE_SIZE))
        if not fetched.data.customers:
            try:
                customer = customer_alone(self.client.get(f"{WC}/customers/{customer_id}"))
            except WooError:
                customer = None
            if customer is not None:
                fetched.data = fetched.data.model_copy(update={"customers": [customer]})
        return fetched

    def fetch_orders_for_email(self, email: str) -> Fetched:
        orders = [o for o in self.client.get(f"{WC}/orders", search=email, per_page=PAGE_SIZE)
                  if (o.get("billing") or {}).get("email", "").lower() == email.strip().lower()]
        return self._with_products(orders)

    def pages(self, since: datetime | None, cursor: str | None) -> Iterator[Page]:
        params = {"per_page": PAGE_SIZE, "orderby": "modified", "order": "asc", "dates_are_gmt": "true",
                  "modified_after": since.strftime("%Y-%m-%dT%H:%M:%S") if since else None}
        for page, orders, total in self.client.pages(f"{WC}/orders", params, start=int(cursor or 1)):
            yield Page(self._with_products(orders), str(page + 1) if page < total else None)

    # -- writes --------------------------------------------------------------------------------
    def apply(self, write: PlatformWrite, remote_id: str) -> WriteResult:
        order = self.client.get(f"{WC}/orders/{int(remote_id)}")
        notes = self.client.get(f"{WC}/orders/{int(remote_id)}/notes", type="any")
        state = {**order, "notes": [n.get("note", "") for n in notes]}
        return self._by_kind[write.kind](write, state)

    def _noted(self, state: dict[str, Any], action_id: str, what: str) -> bool:
        tag = f"{marker(action_id)} {what}"
        return any(tag in note for note in state["notes"])

    def _note(self, state: dict[str, Any], action_id: str, what: str, text: str) -> None:
        self.client.request("POST", f"{WC}/orders/{state['id']}/notes",
                            json={"note": f"{marker(action_id)} {what}: {text}", "customer_note": False})

    def _result(self, write: PlatformWrite, remote_id: str | None, already: bool = False) -> WriteResult:
        return WriteResult(platform=self.name, action_id=write.action_id, remote_id=remote_id, already_done=already)

    def _cancel(self, write: CancelOrder, state: dict[str, Any]) -> WriteResult:
        if state["status"] == "cancelled":
            return self._result(write, str(state["id"]), already=True)
        if state["status"] not in CANCELLABLE:
            raise PlatformRejected(f"the order is {state['status']} in WooCommerce and can no longer be cancelled",
                                   code="not_cancellable")
        paid = bool(state.get("date_paid_gmt")) and state.get("payment_method") not in ("cod", "bacs", "cheque")
        if write.refund and paid and not any(marker(write.action_id) in (r.get("reason") or "")
                                             for r in state.get("refunds") or []):
            refundable = float(state["total"]) - sum(-float(r["total"]) for r in state.get("refunds") or [])
            if refundable > 0:
                self._refund_request(state, {"amount": f"{refundable:.2f}", "api_restock": write.restock,
                                             "reason": f"{marker(write.action_id)} cancelled by the shopper"})
        self.client.request("PUT", f"{WC}/orders/{state['id']}", json={"status": "cancelled"})
        if not self._noted(state, write.action_id, "cancelled"):
            self._note(state, write.action_id, "cancelled", "by the shopper via Portside")
        return self._result(write, str(state["id"]))

    def _address(self, write: ChangeAddress, state: dict[str, Any]) -> WriteResult:
        if state["status"] not in CANCELLABLE:
            raise PlatformRejected(f"the order is {state['status']} in WooCommerce: its address can't change",
                                   code="not_editable")
        a = write.address
        first, _, last = a.name.partition(" ")
        shipping = {"first_name": first, "last_name": last, "address_1": a.line1, "address_2": a.line2 or "",
                    "city": a.city, "postcode": a.postal_code or "", "country": a.country}
        self.client.request("PUT", f"{WC}/orders/{state['id']}", json={"shipping": shipping})
        if not self._noted(state, write.action_id, "address changed"):
            self._note(state, write.action_id, "address changed",
                       f"{a.line1}, {a.postal_code or ''} {a.city} {a.country} (by the shopper via Portside)")
        return self._result(write, str(state["id"]))

    def _return(self, write: RequestReturn, state: dict[str, Any]) -> WriteResult:
        what = "return approved" if write.approved else "return requested"
        if self._noted(state, write.action_id, what):
            return self._result(write, write.action_id, already=True)
        items = ", ".join(f"{line.quantity} × {line.sku}" for line in write.lines)
        self._note(state, write.action_id, what, f"{items}; reason {write.reason}" +
                   (f"; {write.note}" if write.note else ""))
        return self._result(write, write.action_id)

    def _decide(self, write: DecideReturn, state: dict[str, Any]) -> WriteResult:
        what = "return approved by staff" if write.approve else "return declined by staff"
        if self._noted(state, write.action_id, what):
            return self._result(write, write.action_id, already=True)
        self._note(state, write.action_id, what, write.note or "decided in Portside")
        return self._result(write, write.action_id)

    def _refund(self, write: RefundWithoutReturn, state: dict[str, Any]) -> WriteResult:
        done = next((r for r in state.get("refunds") or [] if marker(write.action_id) in (r.get("reason") or "")),
                    None)
        if done is not None:
            return self._result(write, str(done["id"]), already=True)
        by_sku = {(li.get("sku") or ""): li for li in state["line_items"]}
        lines = []
        for line in write.lines:
            li = by_sku.get(line.sku)
            if li is None:
                raise PlatformRejected(f"{line.sku} is not in the WooCommerce order", code="invalid_item")
            lines.append({"id": li["id"], "quantity": line.quantity,
                          "refund_total": f"{float(li.get('price') or 0) * line.quantity:.2f}"})
        refund = self._refund_request(state, {"amount": f"{write.amount:.2f}", "line_items": lines,
                                              "reason": f"{marker(write.action_id)} refund without return",
                                              "api_restock": False})
        return self._result(write, str(refund.get("id")))

    def _refund_request(self, state: dict[str, Any], body: dict[str, Any]) -> Any:
        """Refund through the payment gateway; a gateway that cannot refund automatically (cash on delivery, bank
        transfer) gets the refund recorded for staff to pay out by hand, and says so in its reason."""
        route = f"{WC}/orders/{state['id']}/refunds"
        try:
            return self.client.request("POST", route, json={**body, "api_refund": True}).json()
        except WooError as exc:
            if "gateway" not in str(exc):
                raise
        return self.client.request("POST", route, json={**body, "api_refund": False,
                                                        "reason": body["reason"] + " (pay out manually)"}).json()

    # -- webhooks ------------------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> PlatformWebhook:
        h = {k.lower(): v for k, v in headers.items()}
        if "x-wc-webhook-signature" not in h and body.startswith(b"webhook_id="):
            return PlatformWebhook("ping", "ping", "ping")  # the unsigned test ping sent when a webhook is saved
        topic, delivery, payload = signed_delivery(
            body, h, secret=self.webhook_secret, setting="PORTSIDE_WOO_WEBHOOK_SECRET",
            signature="X-WC-Webhook-Signature", topic="X-WC-Webhook-Topic", delivery_id="X-WC-Webhook-Delivery-ID")
        if topic.startswith("order.") and payload.get("id"):
            return PlatformWebhook(delivery, topic, "order", remote_order_id=str(payload["id"]))
        return PlatformWebhook(delivery, topic, "ignored")

    # -- connect --check -----------------------------------------------------------------------
    def check(self) -> list[Capability]:
        out = []
        for name, route in (("read orders", f"{WC}/orders"), ("read customers", f"{WC}/customers"),
                            ("read products (final sale, category)", f"{WC}/products")):
            try:
                self.client.request("GET", route, params={"per_page": 1}, budget=10)
                out.append(Capability(name, True))
            except WooError as exc:
                out.append(Capability(name, False, f"{exc} (give the key read/write permission)"))
                if exc.status == 401 and name == "read orders":
                    return out
        # A write probe that changes nothing: WooCommerce checks the key's write permission before the
        # payload, so an empty batch answers 401 for a read-only key and 200 otherwise.
        try:
            self.client.request("POST", f"{WC}/orders/batch", json={}, budget=10)
            out.append(Capability("cancel orders, change addresses, refund, add notes", True))
        except WooError as exc:
            ok = exc.status not in (401, 403)
            out.append(Capability("cancel orders, change addresses, refund, add notes", ok,
                                  "" if ok else "the key is read-only: create a Read/Write key"))
        ext = self.tracking_extension()
        out.append(Capability("tracking numbers (Shipment Tracking extension)", ext,
                              "" if ext else "optional: install WooCommerce Shipment Tracking for tracking numbers"))
        if not self.webhook_secret:
            out.append(Capability("verify webhooks", False, "set PORTSIDE_WOO_WEBHOOK_SECRET to the webhooks' secret"))
        return out
