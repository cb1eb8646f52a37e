"""The fake Shopify's in-memory shop: records, seeding helpers and the figures Shopify derives from them."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(\?.*)?$")
_ANY_GID = re.compile(r"^gid://shopify/[A-Za-z]+/[^/\s]+$")


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def is_gid(value: str) -> bool:
    """The shape Shopify's ID scalar accepts (Job ids, for one, are not numeric)."""
    return bool(_ANY_GID.match(value or ""))


def parse_gid(value: str) -> tuple[str, int] | None:
    match = _GID.match(value or "")
    return (match.group(1), int(match.group(2))) if match else None


def money(value: Decimal | str | int | float) -> Decimal:
    return Decimal(str(value))


def decimal_text(value: Decimal) -> str:
    """Shopify's Decimal/Money scalars print like "19.99" or "10.0" (never an exponent)."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


@dataclass
class Address:
    id: int
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    province_code: str | None = None
    country: str | None = None
    country_code: str | None = None
    zip: str | None = None
    phone: str | None = None

    @property
    def name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or None


@dataclass
class Customer:
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    phone: str | None
    locale: str
    tags: list[str]
    note: str | None
    default_address: Address | None
    created_at: datetime
    updated_at: datetime
    state: str = "ENABLED"
    verified_email: bool = True

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.email or self.phone or ""


@dataclass
class Metafield:
    id: int
    namespace: str
    key: str
    value: str
    type: str
    created_at: datetime


@dataclass
class Variant:
    id: int
    product_id: int
    title: str
    sku: str | None
    price: Decimal
    compare_at_price: Decimal | None
    barcode: str | None
    inventory_quantity: int
    position: int
    options: list[tuple[str, str]]
    created_at: datetime
    updated_at: datetime
    metafields: dict[tuple[str, str], Metafield] = field(default_factory=dict)


@dataclass
class Product:
    id: int
    title: str
    handle: str
    product_type: str
    vendor: str
    status: str
    tags: list[str]
    description: str
    created_at: datetime
    updated_at: datetime
    variants: list[Variant] = field(default_factory=list)
    metafields: dict[tuple[str, str], Metafield] = field(default_factory=dict)


@dataclass
class LineItem:
    id: int
    order_id: int
    title: str
    variant_title: str | None
    sku: str | None
    vendor: str | None
    quantity: int
    price: Decimal
    variant_id: int | None
    product_id: int | None
    requires_shipping: bool = True
    taxable: bool = True
    gift_card: bool = False
    custom_attributes: list[tuple[str, str]] = field(default_factory=list)
    refunded_quantity: int = 0
    removed_quantity: int = 0  # units removed by cancellation

    @property
    def name(self) -> str:
        return f"{self.title} - {self.variant_title}" if self.variant_title else self.title

    @property
    def current_quantity(self) -> int:
        return max(0, self.quantity - self.refunded_quantity - self.removed_quantity)


@dataclass
class TrackingInfo:
    company: str | None
    number: str | None
    url: str | None


@dataclass
class FulfillmentLineItem:
    id: int
    line_item_id: int
    quantity: int


@dataclass
class Fulfillment:
    id: int
    order_id: int
    name: str
    status: str
    display_status: str | None
    tracking: list[TrackingInfo]
    line_items: list[FulfillmentLineItem]
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None = None
    in_transit_at: datetime | None = None
    estimated_delivery_at: datetime | None = None


@dataclass
class ReturnLineItem:
    id: int
    fulfillment_line_item_id: int
    quantity: int
    return_reason: str
    return_reason_note: str
    customer_note: str | None


@dataclass
class Return:
    id: int
    order_id: int
    name: str
    status: str
    line_items: list[ReturnLineItem]
    created_at: datetime
    closed_at: datetime | None = None
    request_approved_at: datetime | None = None
    decline_reason: str | None = None
    decline_note: str | None = None


@dataclass
class RefundLineItem:
    id: int
    line_item_id: int
    quantity: int
    restock_type: str
    subtotal: Decimal


@dataclass
class Refund:
    id: int
    order_id: int
    note: str | None
    amount: Decimal
    line_items: list[RefundLineItem]
    created_at: datetime
    return_id: int | None = None


@dataclass
class Order:
    id: int
    number: int
    name: str
    email: str | None
    phone: str | None
    customer_id: int | None
    currency: str
    created_at: datetime
    updated_at: datetime
    processed_at: datetime
    financial_status: str
    gateways: list[str]
    line_items: list[LineItem]
    shipping_address: Address | None
    billing_address: Address | None
    shipping_price: Decimal
    tax: Decimal
    duties: Decimal | None
    tags: list[str]
    note: str | None
    custom_attributes: list[tuple[str, str]]
    customer_locale: str | None = None
    test: bool = False
    fulfillment_status: str | None = None  # seeding override, e.g. ON_HOLD
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    staff_note: str | None = None
    fulfillments: list[Fulfillment] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    # Shopify's derived figures, kept here so GraphQL views and REST webhook payloads agree.
    @property
    def subtotal(self) -> Decimal:
        return sum((li.price * li.quantity for li in self.line_items), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_price + self.tax + (self.duties or 0)

    @property
    def current_subtotal(self) -> Decimal:
        return sum((li.price * li.current_quantity for li in self.line_items), Decimal(0))

    @property
    def current_total(self) -> Decimal:
        if self.cancelled_at:
            return Decimal(0)
        return self.current_subtotal + self.shipping_price + self.tax + (self.duties or 0)

    @property
    def received(self) -> Decimal:
        paid = self.financial_status in {"PAID", "PARTIALLY_REFUNDED", "REFUNDED"}
        return self.total if paid else Decimal(0)

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal(0))

    @property
    def refundable_amount(self) -> Decimal:
        return max(Decimal(0), self.received - self.refunded)

    @property
    def outstanding(self) -> Decimal:
        if self.cancelled_at or self.financial_status in {"VOIDED", "EXPIRED"}:
            return Decimal(0)
        return max(Decimal(0), self.total - self.received)

    def fulfilled_quantity(self, line_item: LineItem) -> int:
        return sum(
            fli.quantity
            for f in self.fulfillments
            if f.status == "SUCCESS"
            for fli in f.line_items
            if fli.line_item_id == line_item.id
        )

    @property
    def display_fulfillment_status(self) -> str:
        if self.fulfillment_status:
            return self.fulfillment_status
        wanted = sum(li.quantity - li.removed_quantity for li in self.line_items if li.requires_shipping)
        done = sum(self.fulfilled_quantity(li) for li in self.line_items if li.requires_shipping)
        if done == 0:
            return "UNFULFILLED"
        return "FULFILLED" if done >= wanted else "PARTIALLY_FULFILLED"

    @property
    def return_status(self) -> str:
        statuses = {r.status for r in self.returns}
        if "REQUESTED" in statuses:
            return "RETURN_REQUESTED"
        if "OPEN" in statuses:
            return "IN_PROGRESS"
        return "RETURNED" if "CLOSED" in statuses else "NO_RETURN"


def _address(number: int, data: Mapping[str, Any] | None) -> Address | None:
    return Address(id=number, **dict(data)) if data else None


def _tags(tags: Sequence[str] | str) -> list[str]:
    items = tags.split(",") if isinstance(tags, str) else tags
    return [t.strip() for t in items if t.strip()]


class Store:
    """Everything the fake shop knows. Ids follow Shopify's shape; numbers start where tests expect them."""

    def __init__(self, now: Callable[[], datetime], shop_domain: str, currency: str = "USD") -> None:
        self.now = now
        self.shop_domain = shop_domain
        self.shop_name = shop_domain.split(".")[0].replace("-", " ").title()
        self.currency = currency
        self.customers: dict[int, Customer] = {}
        self.products: dict[int, Product] = {}
        self.orders: dict[int, Order] = {}
        self._ids: dict[str, Iterator[int]] = {}
        self._starts = {"Order": 5001, "Customer": 7001, "Product": 8001, "ProductVariant": 9001,
                        "LineItem": 11001, "Fulfillment": 12001, "FulfillmentLineItem": 13001, "Return": 14001,
                        "ReturnLineItem": 15001, "Refund": 16001, "RefundLineItem": 17001, "MailingAddress": 18001,
                        "Metafield": 19001}
        self._order_numbers = itertools.count(1001)

    def next_id(self, kind: str) -> int:
        if kind not in self._ids:
            self._ids[kind] = itertools.count(self._starts.get(kind, 1))
        return next(self._ids[kind])

    # ---- seeding -------------------------------------------------------------------------------------
    def add_customer(self, *, email: str | None = None, first_name: str | None = None, last_name: str | None = None,
                     phone: str | None = None, locale: str = "en", tags: Sequence[str] | str = (),
                     note: str | None = None, address: Mapping[str, Any] | None = None, id: int | None = None,
                     created_at: datetime | None = None) -> Customer:
        moment = created_at or self.now()
        customer = Customer(id=id or self.next_id("Customer"), email=email, first_name=first_name,
                            last_name=last_name, phone=phone, locale=locale, tags=_tags(tags), note=note,
                            default_address=_address(self.next_id("MailingAddress"), address),
                            created_at=moment, updated_at=moment)
        self.customers[customer.id] = customer
        return customer

    def add_product(self, *, title: str, product_type: str = "", vendor: str = "", tags: Sequence[str] | str = (),
                    status: str = "ACTIVE", handle: str | None = None, description: str = "",
                    variants: Sequence[Mapping[str, Any]] = (), metafields: Mapping[str, str] | None = None,
                    price: str = "0.00", sku: str | None = None, id: int | None = None) -> Product:
        """`metafields` maps "namespace.key" to a single_line_text_field value; no variants → one default."""
        moment = self.now()
        product = Product(id=id or self.next_id("Product"), title=title,
                          handle=handle or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
                          product_type=product_type, vendor=vendor, status=status, tags=_tags(tags),
                          description=description, created_at=moment, updated_at=moment)
        self.products[product.id] = product
        for ref, value in (metafields or {}).items():
            namespace, key = ref.split(".", 1)
            product.metafields[(namespace, key)] = Metafield(self.next_id("Metafield"), namespace, key, value,
                                                             "single_line_text_field", moment)
        for spec in variants or [{"title": "Default Title", "price": price, "sku": sku}]:
            self.add_variant(product, **spec)
        return product

    def add_variant(self, product: Product, *, title: str = "Default Title", sku: str | None = None,
                    price: str | Decimal = "0.00", compare_at_price: str | None = None, barcode: str | None = None,
                    inventory_quantity: int = 0, options: Sequence[tuple[str, str]] | None = None,
                    id: int | None = None) -> Variant:
        moment = self.now()
        variant = Variant(id=id or self.next_id("ProductVariant"), product_id=product.id, title=title, sku=sku,
                          price=money(price), compare_at_price=money(compare_at_price) if compare_at_price else None,
                          barcode=barcode, inventory_quantity=inventory_quantity,
                          position=len(product.variants) + 1, options=list(options or [("Title", title)]),
                          created_at=moment, updated_at=moment)
        product.variants.append(variant)
        return variant

    def add_order(self, *, line_items: Sequence[Mapping[str, Any] | Variant], customer: Customer | None = None,
                  email: str | None = None, phone: str | None = None, name: str | None = None,
                  financial_status: str = "PAID", payment_gateway_names: Sequence[str] = ("shopify_payments",),
                  currency: str | None = None, shipping_address: Mapping[str, Any] | None = None,
                  billing_address: Mapping[str, Any] | None = None, shipping_price: str = "0.00",
                  tax: str = "0.00", duties: str | None = None, tags: Sequence[str] | str = (),
                  note: str | None = None, custom_attributes: Mapping[str, str] | None = None,
                  created_at: datetime | None = None, updated_at: datetime | None = None,
                  customer_locale: str | None = None, fulfillment_status: str | None = None, test: bool = False,
                  id: int | None = None) -> Order:
        """Line items are variants or dicts with `variant` or `title`/`sku`/`price`, plus `quantity`."""
        created = created_at or self.now()
        order_id = id or self.next_id("Order")
        number = next(self._order_numbers)
        order = Order(
            id=order_id, number=number, name=name or f"#{number}",
            email=email if email is not None else (customer.email if customer else None),
            phone=phone, customer_id=customer.id if customer else None, currency=currency or self.currency,
            created_at=created, updated_at=updated_at or created, processed_at=created,
            financial_status=financial_status, gateways=list(payment_gateway_names), line_items=[],
            shipping_address=_address(self.next_id("MailingAddress"), shipping_address),
            billing_address=_address(self.next_id("MailingAddress"), billing_address),
            shipping_price=money(shipping_price), tax=money(tax), duties=money(duties) if duties else None,
            tags=_tags(tags), note=note, custom_attributes=list((custom_attributes or {}).items()),
            customer_locale=customer_locale or (customer.locale if customer else None),
            fulfillment_status=fulfillment_status, test=test)
        order.line_items = [self._line_item(order_id, spec) for spec in line_items]
        self.orders[order.id] = order
        return order

    def _line_item(self, order_id: int, spec: Mapping[str, Any] | Variant) -> LineItem:
        data: dict[str, Any] = {"variant": spec} if isinstance(spec, Variant) else dict(spec)
        variant: Variant | None = data.get("variant")
        product = self.products.get(variant.product_id) if variant else None
        return LineItem(
            id=data.get("id") or self.next_id("LineItem"), order_id=order_id,
            title=data.get("title") or (product.title if product else "Custom item"),
            variant_title=data.get("variant_title") or (variant.title if variant and variant.title != "Default Title"
                                                        else None),
            sku=data.get("sku", variant.sku if variant else None),
            vendor=data.get("vendor", product.vendor if product else None), quantity=int(data.get("quantity", 1)),
            price=money(data.get("price", variant.price if variant else "0.00")),
            variant_id=variant.id if variant else None, product_id=product.id if product else None,
            requires_shipping=data.get("requires_shipping", True),
            custom_attributes=list((data.get("custom_attributes") or {}).items()))

    def add_fulfillment(self, order: Order, *, line_items: Sequence[tuple[LineItem, int]] | None = None,
                        tracking: Sequence[Mapping[str, str | None] | tuple[str | None, ...]] = (),
                        status: str = "SUCCESS", display_status: str | None = None,
                        created_at: datetime | None = None, delivered_at: datetime | None = None,
                        estimated_delivery_at: datetime | None = None, id: int | None = None) -> Fulfillment:
        """No `line_items` fulfils every unit not yet fulfilled. `tracking` items: (company, number, url)."""
        moment = created_at or self.now()
        if line_items is None:
            line_items = [(li, li.quantity - order.fulfilled_quantity(li)) for li in order.line_items]
        infos = [TrackingInfo(**t) if isinstance(t, Mapping) else TrackingInfo(*t) for t in tracking]
        fulfillment = Fulfillment(
            id=id or self.next_id("Fulfillment"), order_id=order.id,
            name=f"{order.name}-F{len(order.fulfillments) + 1}", status=status,
            display_status=display_status or ("DELIVERED" if delivered_at else "FULFILLED"), tracking=infos,
            line_items=[FulfillmentLineItem(self.next_id("FulfillmentLineItem"), li.id, qty)
                        for li, qty in line_items if qty > 0],
            created_at=moment, updated_at=moment, delivered_at=delivered_at,
            estimated_delivery_at=estimated_delivery_at)
        order.fulfillments.append(fulfillment)
        order.updated_at = max(order.updated_at, moment)
        return fulfillment

    def add_return(self, order: Order, *, line_items: Sequence[tuple[FulfillmentLineItem, int]],
                   status: str = "REQUESTED", reason: str = "OTHER") -> Return:
        return self.create_return(order, [(fli, qty, reason, "", None) for fli, qty in line_items], status)

    def add_refund(self, order: Order, *, amount: str, note: str | None = None) -> Refund:
        return self.create_refund(order, money(amount), [], note)

    # ---- changes shared by seeding and mutations ----------------------------------------------------
    def create_return(self, order: Order, items: Sequence[tuple[FulfillmentLineItem, int, str, str, str | None]],
                      status: str) -> Return:
        moment = self.now()
        created = Return(
            id=self.next_id("Return"), order_id=order.id, name=f"{order.name}-R{len(order.returns) + 1}",
            status=status, created_at=moment, request_approved_at=moment if status == "OPEN" else None,
            line_items=[ReturnLineItem(self.next_id("ReturnLineItem"), fli.id, qty, reason, note, customer_note)
                        for fli, qty, reason, note, customer_note in items])
        order.returns.append(created)
        order.updated_at = moment
        return created

    def create_refund(self, order: Order, amount: Decimal, items: Sequence[tuple[LineItem, int, str]],
                      note: str | None) -> Refund:
        refund = Refund(id=self.next_id("Refund"), order_id=order.id, note=note, amount=amount,
                        created_at=self.now(),
                        line_items=[RefundLineItem(self.next_id("RefundLineItem"), li.id, qty, restock,
                                                   li.price * qty) for li, qty, restock in items])
        for li, qty, _ in items:
            li.refunded_quantity += qty
        order.refunds.append(refund)
        if amount > 0:
            order.financial_status = "REFUNDED" if order.refunded >= order.received else "PARTIALLY_REFUNDED"
        order.updated_at = refund.created_at
        return refund

    # ---- look-ups ------------------------------------------------------------------------------------
    def variant(self, number: int) -> Variant | None:
        return next((v for p in self.products.values() for v in p.variants if v.id == number), None)

    def fulfillment_line_item(self, number: int) -> tuple[Order, FulfillmentLineItem] | None:
        for order in self.orders.values():
            for f in order.fulfillments:
                for fli in f.line_items:
                    if fli.id == number:
                        return order, fli
        return None

    def find_return(self, number: int) -> tuple[Order, Return] | None:
        return next(((o, r) for o in self.orders.values() for r in o.returns if r.id == number), None)

    def line_item(self, number: int) -> tuple[Order, LineItem] | None:
        return next(((o, li) for o in self.orders.values() for li in o.line_items if li.id == number), None)

    def returned_quantity(self, order: Order, fli_id: int) -> int:
        """Units of a fulfillment line item already in a return that wasn't declined or canceled."""
        return sum(rli.quantity for r in order.returns if r.status not in {"DECLINED", "CANCELED"}
                   for rli in r.line_items if rli.fulfillment_line_item_id == fli_id)

    def returnable_quantity(self, order: Order, fli: FulfillmentLineItem) -> int:
        line_item = next(li for li in order.line_items if li.id == fli.line_item_id)
        fulfilled = next((f for f in order.fulfillments if fli in f.line_items), None)
        if fulfilled is None or fulfilled.status != "SUCCESS":
            return 0
        # Refunded units can't come back, whichever fulfillment they shipped in.
        unrefunded = line_item.quantity - line_item.refunded_quantity
        return max(0, min(fli.quantity, unrefunded) - self.returned_quantity(order, fli.id))
