"""Write side: the mutations of schema.graphql with the validation Shopify documents, answered as userErrors.

Messages marked "captured" are Shopify's own wording as seen in public captures of live responses; the others
follow the documented rule but their exact wording is this fake's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from .store import Address, FulfillmentLineItem, Order, Store, gid, money, parse_gid
from .views import TAG_SCOPES, Context, Views

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _error(field: Sequence[str] | None, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": list(field) if field is not None else None, "message": message}
    if code is not None:
        error["code"] = code
    return error


class Mutations:
    def __init__(self, store: Store, views: Views) -> None:
        self.store = store
        self.views = views

    def resolvers(self) -> dict[str, Callable[..., Any]]:
        return {"orderCancel": self.order_cancel, "orderUpdate": self.order_update, "refundCreate": self.refund_create,
                "returnRequest": self.return_request, "returnCreate": self.return_create,
                "returnApproveRequest": self.return_approve, "returnDeclineRequest": self.return_decline,
                "tagsAdd": self.tags_add}

    def _order(self, value: str | None) -> Order | None:
        parsed = parse_gid(value or "")
        return self.store.orders.get(parsed[1]) if parsed and parsed[0] == "Order" else None

    @staticmethod
    def _done(info: GraphQLResolveInfo, name: str, args: Mapping[str, Any]) -> None:
        """Only writes that changed the shop are recorded, so tests can count them."""
        context: Context = info.context
        context.mutations.append((name, dict(args)))

    # ---- orders ------------------------------------------------------------------------------------
    def order_cancel(self, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        order = self._order(args["orderId"])
        errors = self._cancel_errors(order, args)
        if errors:
            plain = [{"field": e["field"], "message": e["message"]} for e in errors]
            return {"job": None, "orderCancelUserErrors": errors, "userErrors": plain}
        assert order is not None
        self._cancel(order, args)
        self._done(info, "orderCancel", args)
        # Shopify cancels in a background job; the fake finishes the work before answering.
        return {"job": {"id": f"gid://shopify/Job/{uuid.uuid4()}", "done": False, "query": None},
                "orderCancelUserErrors": [], "userErrors": []}

    def _cancel_errors(self, order: Order | None, args: Mapping[str, Any]) -> list[dict[str, Any]]:
        # orderCancel's documented preconditions: not already cancelled, no outstanding fulfillments,
        # no active returns.
        if order is None:
            return [_error(["orderId"], "Order does not exist", "NOT_FOUND")]
        if order.cancelled_at:
            return [_error(["orderId"], "Order has already been cancelled", "INVALID")]
        if any(f.status == "SUCCESS" for f in order.fulfillments):
            return [_error(["orderId"], "Cannot cancel an order that has fulfillments. Cancel the fulfillments "
                                        "first.", "INVALID")]
        if any(r.status in {"REQUESTED", "OPEN"} for r in order.returns):
            return [_error(["orderId"], "Cannot cancel an order that has active returns.", "INVALID")]
        errors = []
        if len(args.get("staffNote") or "") > 255:
            errors.append(_error(["staffNote"], "Staff note is too long (maximum is 255 characters)", "INVALID"))
        method = args.get("refundMethod") or {}
        if "storeCreditRefund" in method and order.customer_id is None:
            errors.append(_error(["refundMethod", "storeCreditRefund"],
                                 "A customer is required to refund to store credit.",
                                 "STORE_CREDIT_REFUND_MISSING_CUSTOMER"))
        return errors

    def _cancel(self, order: Order, args: Mapping[str, Any]) -> None:
        method = args.get("refundMethod") or {}
        wants_refund = bool(args.get("refund") or method.get("originalPaymentMethodsRefund")
                            or "storeCreditRefund" in method)
        restock = "CANCEL" if args["restock"] else "NO_RESTOCK"
        if wants_refund and order.refundable_amount > 0:
            items = [(li, li.current_quantity, restock) for li in order.line_items if li.current_quantity]
            self.store.create_refund(order, order.refundable_amount, items, None)
        elif order.financial_status in {"PENDING", "AUTHORIZED"}:
            order.financial_status = "VOIDED"  # authorizations are voided whatever the refund choice
        for li in order.line_items:
            li.removed_quantity = li.current_quantity
        now = self.store.now()
        order.cancelled_at, order.cancel_reason, order.closed_at = now, args["reason"], now
        order.staff_note = args.get("staffNote")
        order.updated_at = now

    def order_update(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        order = self._order(input["id"])
        if order is None:
            return {"order": None, "userErrors": [_error(["id"], "Order does not exist")]}
        if input.get("email") and not _EMAIL.match(input["email"]):
            return {"order": None, "userErrors": [_error(["email"], "Email is invalid")]}
        # Shopify documents no fulfillment-state restriction on these fields, so none is applied.
        if "email" in input:
            order.email = input["email"]
        if "note" in input:
            order.note = input["note"]
        if "tags" in input:
            order.tags = [t.strip() for t in input["tags"] or [] if t.strip()]
        if "customAttributes" in input:
            order.custom_attributes = [(a["key"], a["value"]) for a in input["customAttributes"] or []]
        if "shippingAddress" in input:
            order.shipping_address = self._address(input["shippingAddress"])  # overwrites, as documented
        order.updated_at = self.store.now()
        self._done(info, "orderUpdate", {"input": input})
        return {"order": self.views.order(order), "userErrors": []}

    def _address(self, data: Mapping[str, Any] | None) -> Address | None:
        if not data:
            return None
        return Address(id=self.store.next_id("MailingAddress"), first_name=data.get("firstName"),
                       last_name=data.get("lastName"), company=data.get("company"), address1=data.get("address1"),
                       address2=data.get("address2"), city=data.get("city"), province_code=data.get("provinceCode"),
                       province=data.get("provinceCode"), country_code=data.get("countryCode"),
                       country=data.get("countryCode"), zip=data.get("zip"), phone=data.get("phone"))

    def refund_create(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        order = self._order(input["orderId"])
        if order is None:
            return {"order": None, "refund": None, "userErrors": [_error(["orderId"], "Order does not exist")]}
        items, errors = [], []
        for index, line in enumerate(input.get("refundLineItems") or []):
            li = next((x for x in order.line_items if gid("LineItem", x.id) == line["lineItemId"]), None)
            if li is None:
                errors.append(_error(["refundLineItems", str(index), "lineItemId"], "Line item does not exist"))
            elif line["quantity"] > li.quantity - li.refunded_quantity:  # captured wording
                errors.append(_error(["refundLineItems", str(index), "quantity"],
                                     "Quantity cannot refund more items than were purchased"))
            else:
                items.append((li, line["quantity"], line.get("restockType") or "NO_RESTOCK"))
        amount = sum((money(t["amount"]) for t in input.get("transactions") or [] if t["kind"] == "REFUND"),
                     Decimal(0))
        if amount > order.refundable_amount and not input.get("allowOverRefunding"):  # captured wording
            errors.append(_error(None, f"Refund amount ${amount:.2f} is greater than net payment received "
                                       f"${order.refundable_amount:.2f}"))
        if errors:
            return {"order": None, "refund": None, "userErrors": errors}
        refund = self.store.create_refund(order, amount, items, input.get("note"))
        self._done(info, "refundCreate", {"input": input})
        return {"order": self.views.order(order), "refund": self.views.refund(order, refund), "userErrors": []}

    # ---- returns -----------------------------------------------------------------------------------
    def return_request(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        return self._new_return(info, "returnRequest", "input", input, "REQUESTED")

    def return_create(self, info: GraphQLResolveInfo, returnInput: dict[str, Any]) -> dict[str, Any]:
        return self._new_return(info, "returnCreate", "returnInput", returnInput, "OPEN")

    def _new_return(self, info: GraphQLResolveInfo, name: str, argument: str, data: dict[str, Any],
                    status: str) -> dict[str, Any]:
        order = self._order(data["orderId"])
        if order is None:
            return {"return": None, "userErrors": [_error([argument, "orderId"], "Order does not exist.",
                                                          "NOT_FOUND")]}
        items, errors = self._return_lines(order, argument, data["returnLineItems"])
        if errors:
            return {"return": None, "userErrors": errors}
        created = self.store.create_return(order, items, status)
        self._done(info, name, {argument: data})
        return {"return": self.views.return_(order, created), "userErrors": []}

    def _return_lines(self, order: Order, argument: str, lines: Sequence[Mapping[str, Any]]
                      ) -> tuple[list[tuple[FulfillmentLineItem, int, str, str, str | None]], list[dict[str, Any]]]:
        if not lines:
            return [], [_error([argument, "returnLineItems"], "Return must have at least one line item.", "BLANK")]
        items, errors, claimed = [], [], {}
        for index, line in enumerate(lines):
            path = [argument, "returnLineItems", str(index)]
            parsed = parse_gid(line["fulfillmentLineItemId"])
            found = self.store.fulfillment_line_item(parsed[1]) if parsed and parsed[0] == "FulfillmentLineItem" \
                else None
            if found is None or found[0] is not order:
                # An unfulfilled line item has no fulfillment line item, so it can't be named here at all.
                errors.append(_error([*path, "fulfillmentLineItemId"], "Fulfillment line item does not exist.",
                                     "NOT_FOUND"))
                continue
            fli = found[1]
            claimed[fli.id] = claimed.get(fli.id, 0) + line["quantity"]
            if line["quantity"] <= 0 or claimed[fli.id] > self.store.returnable_quantity(order, fli):
                errors.append(_error([*path, "quantity"], "Return line item has an invalid quantity.",  # captured
                                     "INVALID"))
                continue
            items.append((fli, line["quantity"], line["returnReason"], line.get("returnReasonNote") or "",
                          line.get("customerNote")))
        return items, errors

    def return_approve(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        found = self._return(input["id"])
        if found is None:
            return {"return": None, "userErrors": [_error(["input", "id"], "Return not found.", "NOT_FOUND")]}
        order, ret = found
        if ret.status != "REQUESTED":  # captured wording
            return {"return": None, "userErrors": [_error(
                ["input", "id"], "Return is not approvable. Only returns with status REQUESTED can be approved.",
                "INVALID_STATE")]}
        ret.status, ret.request_approved_at = "OPEN", self.store.now()
        order.updated_at = ret.request_approved_at
        self._done(info, "returnApproveRequest", {"input": input})
        return {"return": self.views.return_(order, ret), "userErrors": []}

    def return_decline(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        found = self._return(input["id"])
        if found is None:
            return {"return": None, "userErrors": [_error(["input", "id"], "Return not found.", "NOT_FOUND")]}
        order, ret = found
        if ret.status == "DECLINED":
            return {"return": None, "userErrors": [_error(["input", "id"], "The return is already declined.",
                                                          "INVALID_STATE")]}
        if ret.status != "REQUESTED":  # captured wording
            return {"return": None, "userErrors": [_error(
                ["input", "id"], "Return is not declinable. Only non-refunded returns with status REQUESTED can be "
                                 "declined.", "INVALID_STATE")]}
        if len(input.get("declineNote") or "") > 500:
            return {"return": None, "userErrors": [_error(["input", "declineNote"],
                                                          "Decline note is too long (maximum is 500 characters)",
                                                          "TOO_LONG")]}
        ret.status, ret.decline_reason, ret.decline_note = "DECLINED", input["declineReason"], input.get("declineNote")
        order.updated_at = self.store.now()
        self._done(info, "returnDeclineRequest", {"input": input})
        return {"return": self.views.return_(order, ret), "userErrors": []}

    def _return(self, value: str) -> Any:
        parsed = parse_gid(value)
        return self.store.find_return(parsed[1]) if parsed and parsed[0] == "Return" else None

    # ---- tags --------------------------------------------------------------------------------------
    def tags_add(self, info: GraphQLResolveInfo, id: str, tags: list[str]) -> dict[str, Any]:
        parsed = parse_gid(id)
        kind = parsed[0] if parsed else ""
        if kind in TAG_SCOPES:
            info.context.require("tagsAdd", TAG_SCOPES[kind])
        record = self._taggable(kind, parsed[1] if parsed else 0)
        if record is None:
            return {"node": None, "userErrors": [_error(["id"], "Resource does not exist")]}
        # A single "a, b" string is documented as a list of tags too.
        for tag in (t.strip() for value in tags for t in value.split(",")):
            if tag and tag.lower() not in {t.lower() for t in record.tags}:
                record.tags.append(tag)
        if hasattr(record, "updated_at"):
            record.updated_at = self.store.now()
        self._done(info, "tagsAdd", {"id": id, "tags": tags})
        return {"node": self._node(kind, record), "userErrors": []}

    def _taggable(self, kind: str, number: int) -> Any:
        table: Mapping[str, Mapping[int, Any]] = {"Order": self.store.orders, "Customer": self.store.customers,
                                                   "Product": self.store.products}
        return table.get(kind, {}).get(number)

    def _node(self, kind: str, record: Any) -> dict[str, Any]:
        render = {"Order": self.views.order, "Customer": self.views.customer, "Product": self.views.product}
        return render[kind](record)
