"""Read side: store records rendered as the GraphQL objects of schema.graphql, plus access-scope checks.

Each object is a dict; fields that take arguments or lead to other objects are callables, which graphql-core's
default resolver calls with (info, **arguments) — so nothing is built unless the query selects it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo, get_named_type

from . import search
from .errors import access_denied
from .store import (
    Address,
    Customer,
    Fulfillment,
    FulfillmentLineItem,
    LineItem,
    Order,
    Product,
    Refund,
    RefundLineItem,
    Return,
    ReturnLineItem,
    Store,
    Variant,
    decimal_text,
    gid,
    iso,
    parse_gid,
)

# Access scopes per object type, from each type's "Requires ... access scope" line on shopify.dev.
READ_SCOPES: dict[str, tuple[str, ...]] = {
    "Order": ("read_orders", "read_marketplace_orders"),
    "Customer": ("read_customers",),
    "Product": ("read_products",),
    "ProductVariant": ("read_products",),
    "Return": ("read_returns", "read_marketplace_returns"),
}
MUTATION_SCOPES: dict[str, tuple[str, ...]] = {
    "orderCancel": ("write_orders", "write_marketplace_orders"),
    "orderUpdate": ("write_orders", "write_marketplace_orders"),
    "refundCreate": ("write_orders", "write_marketplace_orders"),
    "returnRequest": ("write_returns", "write_marketplace_returns"),
    "returnApproveRequest": ("write_returns", "write_marketplace_returns"),
    "returnDeclineRequest": ("write_returns", "write_marketplace_returns"),
    "returnCreate": ("write_returns", "write_marketplace_returns"),
}
TAG_SCOPES = {"Order": ("write_orders",), "Customer": ("write_customers",), "Product": ("write_products",)}


@dataclass
class Context:
    """Per-request state handed to resolvers as info.context."""

    store: Store
    scopes: frozenset[str]
    mutations: list[tuple[str, dict[str, Any]]]
    search_warnings: list[dict[str, Any]] = field(default_factory=list)

    def allows(self, needed: Sequence[str]) -> bool:
        # A write scope includes the matching read scope.
        return any(s in self.scopes or s.replace("read_", "write_", 1) in self.scopes for s in needed)

    def require(self, field_name: str, needed: Sequence[str]) -> None:
        if not self.allows(needed):
            raise access_denied(field_name, tuple(needed))


def scope_middleware(next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    context: Context = info.context
    if info.parent_type.name == "Mutation":
        needed = MUTATION_SCOPES.get(info.field_name)
    else:
        type_name = get_named_type(info.return_type).name
        needed = READ_SCOPES.get(type_name.removesuffix("Connection"))
    if needed:
        context.require(info.field_name, needed)
    return next_(root, info, **args)


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    value = {"amount": decimal_text(amount), "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": value}


def connection(items: Sequence[Any], to_node: Callable[[Any], dict[str, Any]], *, first: int | None = None,
               last: int | None = None, after: str | None = None, before: str | None = None, reverse: bool = False,
               sort_value: Callable[[Any], Any] = lambda item: item.id, **_: Any) -> dict[str, Any]:
    search.check_page_args(first, last)
    ordered = list(reversed(items)) if reverse else list(items)
    start, end = search.paginate([item.id for item in ordered], first, last, after, before)
    page = ordered[start:end]
    nodes = [to_node(item) for item in page]
    edges = [{"cursor": search.cursor_for(item.id, sort_value(item)), "node": node} for item, node in zip(page, nodes,
                                                                                                         strict=True)]
    return {"edges": edges, "nodes": nodes,
            "pageInfo": {"hasNextPage": end < len(ordered), "hasPreviousPage": start > 0,
                         "startCursor": edges[0]["cursor"] if edges else None,
                         "endCursor": edges[-1]["cursor"] if edges else None}}


def _attributes(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs]


class Views:
    def __init__(self, store: Store) -> None:
        self.store = store

    def address(self, address: Address | None) -> dict[str, Any] | None:
        if address is None:
            return None
        return {"__typename": "MailingAddress", "id": gid("MailingAddress", address.id),
                "address1": address.address1, "address2": address.address2, "city": address.city,
                "company": address.company, "country": address.country, "countryCodeV2": address.country_code,
                "firstName": address.first_name, "lastName": address.last_name, "name": address.name,
                "phone": address.phone, "province": address.province, "provinceCode": address.province_code,
                "zip": address.zip,
                "formattedArea": ", ".join(p for p in (address.city, address.province_code, address.country) if p)}

    def order(self, o: Order) -> dict[str, Any]:
        bag = lambda amount: money_bag(amount, o.currency)  # noqa: E731 - short local helper
        customer = self.store.customers.get(o.customer_id) if o.customer_id else None
        return {
            "__typename": "Order", "id": gid("Order", o.id), "legacyResourceId": str(o.id), "name": o.name,
            "email": o.email, "phone": o.phone, "createdAt": iso(o.created_at), "updatedAt": iso(o.updated_at),
            "processedAt": iso(o.processed_at), "cancelledAt": iso(o.cancelled_at), "cancelReason": o.cancel_reason,
            "closed": o.closed_at is not None, "closedAt": iso(o.closed_at), "confirmed": True, "test": o.test,
            "displayFinancialStatus": o.financial_status, "displayFulfillmentStatus": o.display_fulfillment_status,
            "returnStatus": o.return_status, "paymentGatewayNames": list(o.gateways), "currencyCode": o.currency,
            "presentmentCurrencyCode": o.currency, "totalPriceSet": bag(o.total), "subtotalPriceSet": bag(o.subtotal),
            "totalShippingPriceSet": bag(o.shipping_price), "totalTaxSet": bag(o.tax),
            "totalRefundedSet": bag(o.refunded), "totalReceivedSet": bag(o.received),
            "totalOutstandingSet": bag(o.outstanding), "currentTotalPriceSet": bag(o.current_total),
            "currentSubtotalPriceSet": bag(o.current_subtotal),
            "currentTotalDutiesSet": bag(o.duties) if o.duties is not None else None,
            "originalTotalDutiesSet": bag(o.duties) if o.duties is not None else None,
            "fullyPaid": o.outstanding == 0 and o.received > 0, "refundable": o.refundable_amount > 0,
            "customerLocale": o.customer_locale, "sourceName": "web", "tags": list(o.tags), "note": o.note,
            "customAttributes": _attributes(o.custom_attributes),
            "shippingAddress": self.address(o.shipping_address), "billingAddress": self.address(o.billing_address),
            "customer": lambda info: self.customer(customer) if customer else None,
            "lineItems": lambda info, **a: connection(o.line_items, lambda li: self.line_item(o, li), **a),
            "fulfillments": lambda info, first=None, query=None: [self.fulfillment(o, f)
                                                                  for f in o.fulfillments[:first]],
            "returns": lambda info, **a: connection(o.returns, lambda r: self.return_(o, r), **a),
            "refunds": lambda info, first=None: [self.refund(o, r) for r in o.refunds[:first]],
        }

    def line_item(self, o: Order, li: LineItem) -> dict[str, Any]:
        bag = lambda amount: money_bag(amount, o.currency)  # noqa: E731
        variant = self.store.variant(li.variant_id) if li.variant_id else None
        product = self.store.products.get(li.product_id) if li.product_id else None
        unfulfilled = max(0, li.current_quantity - o.fulfilled_quantity(li))
        return {
            "__typename": "LineItem", "id": gid("LineItem", li.id), "name": li.name, "title": li.title,
            "variantTitle": li.variant_title, "vendor": li.vendor, "sku": li.sku, "quantity": li.quantity,
            "currentQuantity": li.current_quantity, "refundableQuantity": li.quantity - li.refunded_quantity,
            "unfulfilledQuantity": unfulfilled, "nonFulfillableQuantity": li.refunded_quantity + li.removed_quantity,
            "originalUnitPriceSet": bag(li.price), "discountedUnitPriceSet": bag(li.price),
            "originalTotalSet": bag(li.price * li.quantity), "requiresShipping": li.requires_shipping,
            "restockable": li.current_quantity > 0, "taxable": li.taxable, "isGiftCard": li.gift_card,
            "customAttributes": _attributes(li.custom_attributes),
            "variant": lambda info: self.variant(variant) if variant else None,
            "product": lambda info: self.product(product) if product else None,
        }

    def fulfillment(self, o: Order, f: Fulfillment) -> dict[str, Any]:
        return {
            "__typename": "Fulfillment", "id": gid("Fulfillment", f.id), "legacyResourceId": str(f.id),
            "name": f.name, "createdAt": iso(f.created_at), "updatedAt": iso(f.updated_at),
            "deliveredAt": iso(f.delivered_at), "inTransitAt": iso(f.in_transit_at),
            "estimatedDeliveryAt": iso(f.estimated_delivery_at), "displayStatus": f.display_status,
            "status": f.status, "requiresShipping": True, "totalQuantity": sum(x.quantity for x in f.line_items),
            "trackingInfo": lambda info, first=None: [{"company": t.company, "number": t.number, "url": t.url}
                                                      for t in f.tracking[:first]],
            "fulfillmentLineItems": lambda info, **a: connection(f.line_items,
                                                                 lambda x: self.fulfillment_line_item(o, x), **a),
            "order": lambda info: self.order(o),
        }

    def fulfillment_line_item(self, o: Order, fli: FulfillmentLineItem) -> dict[str, Any]:
        li = next(x for x in o.line_items if x.id == fli.line_item_id)
        total = money_bag(li.price * fli.quantity, o.currency)
        return {"__typename": "FulfillmentLineItem", "id": gid("FulfillmentLineItem", fli.id),
                "quantity": fli.quantity, "originalTotalSet": total, "discountedTotalSet": total,
                "lineItem": lambda info: self.line_item(o, li)}

    def return_(self, o: Order, r: Return) -> dict[str, Any]:
        refunds = [x for x in o.refunds if x.return_id == r.id]
        return {
            "__typename": "Return", "id": gid("Return", r.id), "name": r.name, "status": r.status,
            "totalQuantity": sum(x.quantity for x in r.line_items), "createdAt": iso(r.created_at),
            "closedAt": iso(r.closed_at), "requestApprovedAt": iso(r.request_approved_at),
            "decline": {"reason": r.decline_reason, "note": r.decline_note} if r.decline_reason else None,
            "order": lambda info: self.order(o),
            "returnLineItems": lambda info, **a: connection(r.line_items, lambda x: self.return_line_item(o, x), **a),
            "refunds": lambda info, **a: connection(refunds, lambda x: self.refund(o, x), **a),
        }

    def return_line_item(self, o: Order, rli: ReturnLineItem) -> dict[str, Any]:
        found = self.store.fulfillment_line_item(rli.fulfillment_line_item_id)
        return {"__typename": "ReturnLineItem", "id": gid("ReturnLineItem", rli.id), "quantity": rli.quantity,
                "customerNote": rli.customer_note, "returnReason": rli.return_reason,
                "returnReasonNote": rli.return_reason_note, "processableQuantity": rli.quantity,
                "processedQuantity": 0, "unprocessedQuantity": rli.quantity, "refundableQuantity": rli.quantity,
                "refundedQuantity": 0,
                "fulfillmentLineItem": lambda info: self.fulfillment_line_item(o, found[1]) if found else None}

    def refund(self, o: Order, r: Refund) -> dict[str, Any]:
        returned = next((x for x in o.returns if x.id == r.return_id), None)
        return {"__typename": "Refund", "id": gid("Refund", r.id), "legacyResourceId": str(r.id),
                "createdAt": iso(r.created_at), "updatedAt": iso(r.created_at), "note": r.note,
                "totalRefundedSet": money_bag(r.amount, o.currency), "order": lambda info: self.order(o),
                "return": lambda info: self.return_(o, returned) if returned else None,
                "refundLineItems": lambda info, **a: connection(r.line_items,
                                                                lambda x: self.refund_line_item(o, x), **a)}

    def refund_line_item(self, o: Order, x: RefundLineItem) -> dict[str, Any]:
        li = next(item for item in o.line_items if item.id == x.line_item_id)
        return {"__typename": "RefundLineItem", "id": gid("RefundLineItem", x.id), "quantity": x.quantity,
                "restockType": x.restock_type, "restocked": x.restock_type in {"RETURN", "CANCEL"},
                "priceSet": money_bag(li.price, o.currency), "subtotalSet": money_bag(x.subtotal, o.currency),
                "lineItem": lambda info: self.line_item(o, li)}

    def customer(self, c: Customer) -> dict[str, Any]:
        orders = sorted((o for o in self.store.orders.values() if o.customer_id == c.id), key=lambda o: o.id)
        spent = sum((o.received - o.refunded for o in orders), Decimal(0))
        return {
            "__typename": "Customer", "id": gid("Customer", c.id), "legacyResourceId": str(c.id), "email": c.email,
            "phone": c.phone, "firstName": c.first_name, "lastName": c.last_name, "displayName": c.display_name,
            "locale": c.locale, "note": c.note, "state": c.state, "tags": list(c.tags),
            "verifiedEmail": c.verified_email,
            "createdAt": iso(c.created_at), "updatedAt": iso(c.updated_at), "numberOfOrders": str(len(orders)),
            "amountSpent": {"amount": decimal_text(spent), "currencyCode": self.store.currency},
            "defaultAddress": self.address(c.default_address),
            "defaultEmailAddress": {"emailAddress": c.email} if c.email else None,
            "defaultPhoneNumber": {"phoneNumber": c.phone} if c.phone else None,
            "orders": lambda info, query=None, sortKey=None, **a: self.orders(info, query=query, sortKey=sortKey,
                                                                              only=orders, **a),
        }

    def product(self, p: Product) -> dict[str, Any]:
        return {
            "__typename": "Product", "id": gid("Product", p.id), "legacyResourceId": str(p.id), "title": p.title,
            "handle": p.handle, "description": lambda info, truncateAt=None: p.description[:truncateAt],
            "productType": p.product_type, "vendor": p.vendor, "status": p.status, "tags": list(p.tags),
            "createdAt": iso(p.created_at), "updatedAt": iso(p.updated_at),
            "totalInventory": sum(v.inventory_quantity for v in p.variants),
            "variants": lambda info, sortKey=None, **a: connection(p.variants, self.variant, **a),
            "metafield": lambda info, key, namespace=None: self.metafield(p.metafields, namespace, key),
        }

    def variant(self, v: Variant) -> dict[str, Any]:
        product = self.store.products[v.product_id]
        return {
            "__typename": "ProductVariant", "id": gid("ProductVariant", v.id), "legacyResourceId": str(v.id),
            "title": v.title, "displayName": f"{product.title} - {v.title}", "sku": v.sku, "barcode": v.barcode,
            "price": decimal_text(v.price),
            "compareAtPrice": decimal_text(v.compare_at_price) if v.compare_at_price is not None else None,
            "position": v.position, "inventoryQuantity": v.inventory_quantity,
            "availableForSale": v.inventory_quantity > 0, "createdAt": iso(v.created_at),
            "updatedAt": iso(v.updated_at), "selectedOptions": [{"name": n, "value": x} for n, x in v.options],
            "product": lambda info: self.product(product),
            "metafield": lambda info, key, namespace=None: self.metafield(v.metafields, namespace, key),
        }

    @staticmethod
    def metafield(metafields: dict[tuple[str, str], Any], namespace: str | None, key: str) -> dict[str, Any] | None:
        if namespace is None and "." in key:
            namespace, key = key.split(".", 1)  # Shopify accepts "namespace.key" in `key` alone
        m = metafields.get((namespace or "$app", key))
        if m is None:
            return None
        return {"__typename": "Metafield", "id": gid("Metafield", m.id), "namespace": m.namespace, "key": m.key,
                "type": m.type, "value": m.value, "jsonValue": m.value, "createdAt": iso(m.created_at),
                "updatedAt": iso(m.created_at)}

    # ---- root queries -------------------------------------------------------------------------------
    def orders(self, info: GraphQLResolveInfo, *, query: str | None = None, sortKey: str | None = None,
               only: Sequence[Order] | None = None, **page: Any) -> dict[str, Any]:
        items = list(only) if only is not None else list(self.store.orders.values())
        selected, warnings = search.filter_items(items, query, ORDER_FIELDS, _order_text, self.store.now())
        _warn(info, query, warnings)
        sort = ORDER_SORTS.get(sortKey or "PROCESSED_AT", ORDER_SORTS["ID"])
        selected.sort(key=lambda o: (sort(o), o.id))
        return connection(selected, self.order, sort_value=sort, **page)

    def customers(self, info: GraphQLResolveInfo, *, query: str | None = None, sortKey: str | None = None,
                  **page: Any) -> dict[str, Any]:
        selected, warnings = search.filter_items(list(self.store.customers.values()), query, CUSTOMER_FIELDS,
                                                 lambda c: [c.display_name, c.email or "", c.phone or ""],
                                                 self.store.now())
        _warn(info, query, warnings)
        selected.sort(key=lambda c: c.id)
        return connection(selected, self.customer, **page)

    def product_variants(self, info: GraphQLResolveInfo, *, query: str | None = None, sortKey: str | None = None,
                         savedSearchId: str | None = None, **page: Any) -> dict[str, Any]:
        variants = [v for p in self.store.products.values() for v in p.variants]
        products = self.store.products
        selected, warnings = search.filter_items(variants, query, VARIANT_FIELDS,
                                                 lambda v: [v.sku or "", v.title, products[v.product_id].title],
                                                 self.store.now())
        _warn(info, query, warnings)
        selected.sort(key=lambda v: v.id)
        return connection(selected, self.variant, **page)

    def node(self, context: Any, value: str) -> dict[str, Any] | None:
        """Any object by global id, subject to the scope its type needs (as Shopify does for `node`)."""
        parsed = parse_gid(value)
        if parsed is None:
            return None
        kind, number = parsed
        order_parts = {"LineItem", "FulfillmentLineItem"}
        needed = READ_SCOPES.get(kind) or (READ_SCOPES["Order"] if kind in order_parts else None)
        if needed:
            context.require("node", needed)
        store = self.store
        if kind == "Order" and number in store.orders:
            return self.order(store.orders[number])
        if kind == "Customer" and number in store.customers:
            return self.customer(store.customers[number])
        if kind == "Product" and number in store.products:
            return self.product(store.products[number])
        if kind == "ProductVariant" and (variant := store.variant(number)):
            return self.variant(variant)
        if kind == "Return" and (found := store.find_return(number)):
            return self.return_(*found)
        if kind == "LineItem" and (pair := store.line_item(number)):
            return self.line_item(*pair)
        if kind == "FulfillmentLineItem" and (fli := store.fulfillment_line_item(number)):
            return self.fulfillment_line_item(*fli)
        return None


def _warn(info: GraphQLResolveInfo, query: str | None, warnings: list[dict[str, str]]) -> None:
    if warnings:
        info.context.search_warnings.append({"path": [str(p) for p in info.path.as_list()], "query": query,
                                             "warnings": warnings})


def _order_text(o: Order) -> list[str]:
    return [o.name, o.email or "", o.phone or "", *(li.sku or "" for li in o.line_items)]


def _status(o: Order) -> list[str]:
    states = ["any", "cancelled"] if o.cancelled_at else ["any"]
    states.append("closed" if o.closed_at else "not_closed")
    if not o.closed_at and not o.cancelled_at:
        states.append("open")
    return states


_FULFILLMENT_WORDS = {"UNFULFILLED": ["unfulfilled", "unshipped"], "PARTIALLY_FULFILLED": ["partial", "unshipped"],
                      "FULFILLED": ["fulfilled", "shipped"]}

ORDER_FIELDS: dict[str, search.FieldSpec] = {
    "name": ("text", lambda o: [o.name, o.name.lstrip("#")]),
    "email": ("text", lambda o: o.email),
    "customer_id": ("id", lambda o: o.customer_id),
    "id": ("id", lambda o: o.id),
    "created_at": ("time", lambda o: o.created_at),
    "updated_at": ("time", lambda o: o.updated_at),
    "processed_at": ("time", lambda o: o.processed_at),
    "status": ("text", _status),
    "financial_status": ("text", lambda o: o.financial_status.lower()),
    "fulfillment_status": ("text", lambda o: _FULFILLMENT_WORDS.get(o.display_fulfillment_status,
                                                                    [o.display_fulfillment_status.lower()])),
    "return_status": ("text", lambda o: o.return_status.lower()),
    "tag": ("text", lambda o: o.tags),
    "tag_not": ("absent", lambda o: o.tags),
    "sku": ("text", lambda o: [li.sku for li in o.line_items if li.sku]),
    "gateway": ("text", lambda o: o.gateways),
    "test": ("bool", lambda o: o.test),
}
ORDER_SORTS: dict[str, Callable[[Order], Any]] = {
    "ID": lambda o: o.id, "PROCESSED_AT": lambda o: iso(o.processed_at), "CREATED_AT": lambda o: iso(o.created_at),
    "UPDATED_AT": lambda o: iso(o.updated_at), "ORDER_NUMBER": lambda o: o.number, "TOTAL_PRICE": lambda o: o.total,
    "RELEVANCE": lambda o: o.id,
}
CUSTOMER_FIELDS: dict[str, search.FieldSpec] = {
    "email": ("text", lambda c: c.email), "phone": ("text", lambda c: c.phone),
    "first_name": ("text", lambda c: c.first_name), "last_name": ("text", lambda c: c.last_name),
    "tag": ("text", lambda c: c.tags), "id": ("id", lambda c: c.id),
    "created_at": ("time", lambda c: c.created_at), "updated_at": ("time", lambda c: c.updated_at),
}
VARIANT_FIELDS: dict[str, search.FieldSpec] = {
    "sku": ("text", lambda v: v.sku), "barcode": ("text", lambda v: v.barcode), "title": ("text", lambda v: v.title),
    "product_id": ("id", lambda v: v.product_id), "id": ("id", lambda v: v.id),
    "updated_at": ("time", lambda v: v.updated_at),
}
