"""Portside's writes as Shopify mutations, each idempotent.

Before writing, the order's current state is read, and the write is skipped when an earlier attempt already made
it: a cancelled order is not cancelled again, a return or refund carrying the action id (in the return line's
note or the refund's note) is not created again. So a retry after a timeout, a second worker or a second "yes"
never makes a second cancellation, return or refund on the platform. Every action also tags the order with its
Portside id, so staff in Shopify see where it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.shopify import queries as q
from connectors.shopify.client import ShopifyClient
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

# Portside's return reasons → Shopify's ReturnReason (2025-10 still takes the enum).
RETURN_REASONS = {"damaged": "DEFECTIVE", "defective": "DEFECTIVE", "wrong_item": "WRONG_ITEM",
                  "changed_mind": "UNWANTED", "wrong_size": "OTHER", "not_as_described": "NOT_AS_DESCRIBED",
                  "late": "OTHER"}


def _errors(payload: dict[str, Any], key: str = "userErrors") -> None:
    errors = payload.get(key) or []
    if errors:
        raise PlatformRejected("; ".join(e["message"] for e in errors)[:500], code=errors[0].get("code"))


def tag(action_id: str) -> str:
    return f"portside:{action_id}"[:40]  # Shopify tags are at most 40 characters


class ShopifyWrites:
    def __init__(self, client: ShopifyClient) -> None:
        self.client = client
        self._by_kind: dict[str, Callable[[Any, str, dict[str, Any]], WriteResult]] = {
            "cancel_order": self._cancel, "change_address": self._address, "return_request": self._return,
            "return_decision": self._decide, "refund": self._refund}

    def apply(self, write: PlatformWrite, remote_id: str) -> WriteResult:
        state = self.client.execute(q.ORDER_STATE, {"id": remote_id}, cost=120)["order"]
        if state is None:
            raise PlatformRejected(f"order {write.order_id} no longer exists on Shopify", code="NOT_FOUND")
        return self._by_kind[write.kind](write, remote_id, state)

    def _result(self, write: PlatformWrite, remote_id: str | None = None, already: bool = False) -> WriteResult:
        return WriteResult(platform="shopify", action_id=write.action_id, remote_id=remote_id, already_done=already)

    def _tag(self, order_gid: str, state: dict[str, Any], action_id: str) -> None:
        if tag(action_id) not in state.get("tags", []):
            _errors(self.client.execute(q.TAGS_ADD, {"id": order_gid, "tags": ["portside", tag(action_id)]},
                                        cost=10)["tagsAdd"])

    # -- one method per write --------------------------------------------------------------------------
    def _cancel(self, write: CancelOrder, order_gid: str, state: dict[str, Any]) -> WriteResult:
        if state.get("cancelledAt"):
            return self._result(write, order_gid, already=True)
        refund = {"originalPaymentMethodsRefund": True} if write.refund else None
        payload = self.client.execute(q.ORDER_CANCEL, {"id": order_gid, "restock": write.restock, "refund": refund,
                                                       "note": f"Cancelled by the shopper via Portside "
                                                               f"({write.action_id})"}, cost=10)["orderCancel"]
        _errors(payload, "orderCancelUserErrors")
        self._tag(order_gid, state, write.action_id)
        return self._result(write, (payload.get("job") or {}).get("id"))

    def _address(self, write: ChangeAddress, order_gid: str, state: dict[str, Any]) -> WriteResult:
        if state.get("displayFulfillmentStatus") not in ("UNFULFILLED", None):
            raise PlatformRejected("the order has already been fulfilled, so its address can't change",
                                   code="FULFILLED")
        a = write.address
        first, _, last = a.name.partition(" ")
        address = {"firstName": first, "lastName": last or None, "address1": a.line1, "address2": a.line2,
                   "city": a.city, "zip": a.postal_code, "countryCode": a.country}
        payload = self.client.execute(q.ORDER_UPDATE, {"input": {"id": order_gid, "shippingAddress": address}},
                                      cost=10)["orderUpdate"]
        _errors(payload)
        self._tag(order_gid, state, write.action_id)
        return self._result(write, order_gid)

    def _return(self, write: RequestReturn, order_gid: str, state: dict[str, Any]) -> WriteResult:
        existing = _return_with(state, write.action_id)
        if existing is not None:
            return self._result(write, existing["id"], already=True)
        note = f"Portside {write.action_id}" + (f": {write.note}" if write.note else "")
        lines = []
        for line in write.lines:
            for fli_id, qty in _fulfilled(state, line.sku, line.quantity):
                item = {"fulfillmentLineItemId": fli_id, "quantity": qty,
                        "returnReason": RETURN_REASONS.get(write.reason, "OTHER")}
                # returnRequest keeps the shopper's words in customerNote; returnCreate in returnReasonNote.
                item["returnReasonNote" if write.approved else "customerNote"] = note[:255]
                lines.append(item)
        if write.approved:
            payload = self.client.execute(q.RETURN_CREATE, {"input": {"orderId": order_gid, "returnLineItems": lines}},
                                          cost=10)["returnCreate"]
        else:
            payload = self.client.execute(q.RETURN_REQUEST, {"input": {"orderId": order_gid,
                                                                       "returnLineItems": lines}},
                                          cost=10)["returnRequest"]
        _errors(payload)
        self._tag(order_gid, state, write.action_id)
        return self._result(write, payload["return"]["id"])

    def _decide(self, write: DecideReturn, order_gid: str, state: dict[str, Any]) -> WriteResult:
        ret = _return_with(state, write.action_id)
        if ret is None:
            raise PlatformRejected(f"no Shopify return carries {write.action_id}", code="NOT_FOUND")
        wanted = "OPEN" if write.approve else "DECLINED"
        if ret["status"] == wanted or (write.approve and ret["status"] == "CLOSED"):
            return self._result(write, ret["id"], already=True)
        if write.approve:
            payload = self.client.execute(q.RETURN_APPROVE, {"input": {"id": ret["id"], "notifyCustomer": True}},
                                          cost=10)["returnApproveRequest"]
        else:
            payload = self.client.execute(q.RETURN_DECLINE, {"input": {
                "id": ret["id"], "declineReason": "OTHER", "notifyCustomer": True,
                "declineNote": (write.note or "Declined by staff")[:500]}}, cost=10)["returnDeclineRequest"]
        _errors(payload)
        return self._result(write, ret["id"])

    def _refund(self, write: RefundWithoutReturn, order_gid: str, state: dict[str, Any]) -> WriteResult:
        marker = f"Portside {write.action_id}"
        done = next((r for r in state.get("refunds") or [] if marker in (r.get("note") or "")), None)
        if done is not None:
            return self._result(write, done["id"], already=True)
        by_sku: dict[str, list[dict[str, Any]]] = {}
        for li in state["lineItems"]["nodes"]:
            by_sku.setdefault(li.get("sku") or "", []).append(li)
        items = []
        for line in write.lines:
            li = next((x for x in by_sku.get(line.sku, []) if x["refundableQuantity"] >= line.quantity), None)
            if li is None:
                raise PlatformRejected(f"{line.sku}: nothing left to refund on Shopify", code="INVALID")
            items.append({"lineItemId": li["id"], "quantity": line.quantity, "restockType": "NO_RESTOCK"})
        payload = self.client.execute(q.REFUND_CREATE, {"input": {
            "orderId": order_gid,
            "note": f"{marker}: refund without return" + (f" ({write.note})" if write.note else ""),
            "notify": True, "refundLineItems": items,
            "transactions": [{"orderId": order_gid, "kind": "REFUND", "gateway": "manual",
                              "amount": f"{write.amount:.2f}"}]}}, cost=10)["refundCreate"]
        _errors(payload)
        self._tag(order_gid, state, write.action_id)
        return self._result(write, payload["refund"]["id"])


def _return_with(state: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    marker = f"Portside {action_id}"
    for ret in state["returns"]["nodes"]:
        for line in ret["returnLineItems"]["nodes"]:
            if marker in (line.get("customerNote") or "") or marker in (line.get("returnReasonNote") or ""):
                return dict(ret)
    return None


def _fulfilled(state: dict[str, Any], sku: str, quantity: int) -> list[tuple[str, int]]:
    """Fulfillment line items holding `quantity` units of `sku` (a return names what was shipped)."""
    out, left = [], quantity
    for f in state.get("fulfillments") or []:
        for fli in f["fulfillmentLineItems"]["nodes"]:
            if left and (fli["lineItem"].get("sku") or "") == sku:
                take = min(left, int(fli.get("quantity") or 0))
                if take:
                    out.append((fli["id"], take))
                    left -= take
    if left:
        raise PlatformRejected(f"{sku}: only part of it was shipped, so Shopify can't take it back yet",
                               code="NOT_FULFILLED")
    return out
