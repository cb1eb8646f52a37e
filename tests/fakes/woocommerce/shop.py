"""The store's state, the seeding API, and the state changes WooCommerce performs on writes."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from . import php
from .oauth import NonceLog
from .store import (
    BILLING_FIELDS,
    SHIPPING_FIELDS,
    STATUS_NAMES,
    Customer,
    LineItem,
    Note,
    Order,
    Product,
    Refund,
    Site,
    Term,
    address,
)
from .wp import WPError

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft")
GATEWAY_TITLES = {
    "cod": "Cash on delivery",
    "bacs": "Direct bank transfer",
    "cheque": "Check payments",
    "stripe": "Credit Card (Stripe)",
    "woocommerce_payments": "WooPayments",
    "ppcp-gateway": "PayPal",
}
# Gateways whose class declares supports('refunds'); the offline ones (cod, bacs, cheque) do not.
REFUNDABLE_GATEWAYS = frozenset({"stripe", "woocommerce_payments", "ppcp-gateway"})
# A subset of the Shipment Tracking extension's wc_shipment_tracking_get_providers() table.
TRACKING_PROVIDERS: dict[str, dict[str, str]] = {
    "Australia": {"Australia Post": "https://auspost.com.au/mypost/track/#/details/%1$s"},
    "Canada": {"Canada Post": "https://www.canadapost-postescanada.ca/track-reperage/en#/resultList?searchFor=%1$s"},
    "Germany": {
        "DHL Intraship (DE)": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html"
        "?lang=de&idc=%1$s&rfn=&extendedSearch=true"
    },
    "Netherlands": {"PostNL": "https://postnl.nl/tracktrace/?B=%1$s&P=%2$s&D=%3$s&T=C"},
    "United Kingdom": {
        "DHL": "https://www.dhl.com/content/g0/en/express/tracking.shtml?brand=DHL&AWB=%1$s",
        "DPD Local": "https://apis.track.dpdlocal.co.uk/v1/track?postcode=%2$s&parcel=%1$s",
        "Royal Mail": "https://www3.royalmail.com/track-your-item#/tracking-results/%1$s",
    },
    "United States": {
        "Fedex": "https://www.fedex.com/apps/fedextrack/?action=track&action=track&tracknumbers=%1$s",
        "UPS": "https://www.ups.com/track?loc=en_US&tracknum=%1$s",
        "USPS": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s",
    },
}


@dataclass
class ApiKey:
    consumer_key: str
    consumer_secret: str
    permissions: str  # read | write | read_write
    user_id: int = 1
    nonces: NonceLog = field(default_factory=NonceLog)


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _utc(moment: datetime | None, default: datetime) -> datetime:
    if moment is None:
        return default
    if moment.tzinfo is None:
        raise ValueError("seed dates must be timezone-aware (UTC)")
    return moment.astimezone(UTC)


def _fill_link(template: str, order: Order, number: str) -> str:
    postcode = order.shipping.get("postcode") or order.billing.get("postcode") or ""
    country = order.shipping.get("country") or order.billing.get("country") or ""
    return template.replace("%1$s", number).replace("%2$s", php.urlencode(postcode)).replace("%3$s", country)


class Shop:
    """Everything a WooCommerce store knows, plus the side effects of its write paths."""

    def __init__(self, site: Site, clock: Callable[[], datetime], api_user: str) -> None:
        self.site, self.clock, self.api_user = site, clock, api_user
        self.customers: dict[int, Customer] = {}
        self.products: dict[int, Product] = {}
        self.terms: dict[int, Term] = {}
        self.orders: dict[int, Order] = {}
        self.refunds: dict[int, Refund] = {}
        self.emails: list[dict[str, Any]] = []
        # Orders, refunds and products share WordPress's post ID sequence; users, terms and comments have their own.
        self._post_ids = itertools.count(100)
        self._user_ids = itertools.count(2)
        self._term_ids = itertools.count(16)
        self._comment_ids = itertools.count(1)
        self._item_ids = itertools.count(1)
        self._meta_ids = itertools.count(1)
        self.terms[15] = Term(15, "product_cat", "Uncategorized", "uncategorized")  # every store has it

    # --- seeding ------------------------------------------------------------------------------------------

    def add_customer(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        *,
        username: str | None = None,
        role: str = "customer",
        billing: dict[str, Any] | None = None,
        shipping: dict[str, Any] | None = None,
        is_paying_customer: bool = False,
        date_created: datetime | None = None,
        id: int | None = None,  # named like the REST field
    ) -> Customer:
        created = _utc(date_created, self.clock())
        bill = address(
            BILLING_FIELDS, {"first_name": first_name, "last_name": last_name, "email": email, **(billing or {})}
        )
        customer = Customer(
            id=id or next(self._user_ids),
            email=email,
            first_name=first_name,
            last_name=last_name,
            username=username or email.split("@")[0],
            role=role,
            billing=bill,
            shipping=address(SHIPPING_FIELDS, shipping),
            date_created=created,
            date_modified=created,
            is_paying_customer=is_paying_customer,
        )
        self.customers[customer.id] = customer
        return customer

    def add_category(self, name: str, *, slug: str | None = None, parent: int = 0, description: str = "") -> Term:
        return self._add_term("product_cat", name, slug, parent, description)

    def add_tag(self, name: str, *, slug: str | None = None, description: str = "") -> Term:
        return self._add_term("product_tag", name, slug, 0, description)

    def _add_term(self, taxonomy: str, name: str, slug: str | None, parent: int, description: str) -> Term:
        term = Term(next(self._term_ids), taxonomy, name, slug or php.sanitize_title(name), parent, description)
        self.terms[term.id] = term
        return term

    def _term_ids_for(self, taxonomy: str, refs: Iterable[int | str]) -> list[int]:
        ids: list[int] = []
        for ref in refs:
            if isinstance(ref, int):
                ids.append(ref)
                continue
            found = next((t for t in self.terms.values() if t.taxonomy == taxonomy and ref in (t.name, t.slug)), None)
            ids.append((found or self._add_term(taxonomy, ref, None, 0, "")).id)
        for term_id in ids:
            self.terms[term_id].count += 1
        return ids

    def add_product(
        self,
        name: str,
        *,
        sku: str = "",
        price: Any = "0",
        regular_price: Any = None,
        sale_price: Any = None,
        categories: Iterable[int | str] = (),
        tags: Iterable[int | str] = (),
        stock_quantity: int | None = None,
        stock_status: str = "instock",
        status: str = "publish",
        type: str = "simple",  # named like the REST field
        description: str = "",
        virtual: bool = False,
        date_created: datetime | None = None,
        id: int | None = None,
    ) -> Product:
        created = _utc(date_created, self.clock())
        cats = self._term_ids_for("product_cat", categories) or self._term_ids_for("product_cat", [15])
        product = Product(
            id=id or next(self._post_ids),
            name=name,
            slug=php.sanitize_title(name),
            sku=sku,
            price=_money(sale_price if sale_price is not None else price),
            regular_price=_money(regular_price if regular_price is not None else price),
            sale_price=_money(sale_price) if sale_price is not None else None,
            status=status,
            type=type,
            categories=cats,
            tags=self._term_ids_for("product_tag", tags),
            stock_quantity=stock_quantity,
            stock_status=stock_status,
            date_created=created,
            date_modified=created,
            description=description,
            virtual=virtual,
        )
        self.products[product.id] = product
        return product

    def add_order(
        self,
        *,
        status: str = "processing",
        number: str | None = None,
        currency: str = "USD",
        customer_id: int = 0,
        billing: dict[str, Any] | None = None,
        shipping: dict[str, Any] | None = None,
        line_items: Iterable[dict[str, Any]] = (),
        shipping_total: Any = "0",
        discount_total: Any = "0",
        total: Any = None,
        payment_method: str = "cod",
        payment_method_title: str | None = None,
        transaction_id: str = "",
        customer_note: str = "",
        meta_data: Iterable[dict[str, Any]] = (),
        shipping_lines: Iterable[dict[str, Any]] | None = None,
        date_created_gmt: datetime | None = None,
        date_modified_gmt: datetime | None = None,
        date_paid_gmt: datetime | None = None,
        date_completed_gmt: datetime | None = None,
        created_via: str = "checkout",
        id: int | None = None,
    ) -> Order:
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        created = _utc(date_created_gmt, self.clock())
        items = [self._line_item(spec) for spec in line_items]
        ship = _money(shipping_total)
        computed = sum((i.total for i in items), Decimal(0)) + ship - _money(discount_total)
        order_id = id or next(self._post_ids)
        order = Order(
            id=order_id,
            number=number or str(order_id),
            order_key="wc_order_" + hashlib.sha1(f"key-{order_id}".encode()).hexdigest()[:13],
            status=status,
            currency=currency,
            customer_id=customer_id,
            billing=address(BILLING_FIELDS, billing),
            shipping=address(SHIPPING_FIELDS, shipping),
            payment_method=payment_method,
            payment_method_title=payment_method_title or GATEWAY_TITLES.get(payment_method, payment_method),
            transaction_id=transaction_id,
            line_items=items,
            shipping_total=ship,
            discount_total=_money(discount_total),
            total=_money(total) if total is not None else computed,
            customer_note=customer_note,
            date_created=created,
            date_modified=_utc(date_modified_gmt, created),
            date_paid=_utc(date_paid_gmt, created) if date_paid_gmt or status in ("processing", "completed") else None,
            date_completed=_utc(date_completed_gmt, created) if date_completed_gmt or status == "completed" else None,
            created_via=created_via,
            meta_data=[{"id": next(self._meta_ids), **m} for m in meta_data],
        )
        order.shipping_lines = (
            [self._shipping_line(s) for s in shipping_lines]
            if shipping_lines
            else (
                [self._shipping_line({"method_id": "flat_rate", "method_title": "Flat rate", "total": ship})]
                if ship
                else []
            )
        )
        self.orders[order.id] = order
        return order

    def _line_item(self, spec: dict[str, Any]) -> LineItem:
        product = self.products.get(int(spec.get("product_id") or 0))
        if product is None and spec.get("sku"):
            product = next((p for p in self.products.values() if p.sku == spec["sku"]), None)
        quantity = int(spec.get("quantity", 1))
        unit = _money(spec["price"]) if "price" in spec else (product.price if product else Decimal(0))
        line_total = _money(spec["total"]) if "total" in spec else unit * quantity
        return LineItem(
            id=next(self._item_ids),
            name=spec.get("name") or (product.name if product else "Item"),
            product_id=product.id if product else int(spec.get("product_id") or 0),
            variation_id=int(spec.get("variation_id") or 0),
            quantity=quantity,
            sku=spec.get("sku") or (product.sku if product else None),
            total=line_total,
            subtotal=line_total,
        )

    def _shipping_line(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": next(self._item_ids),
            "method_title": spec.get("method_title", "Flat rate"),
            "method_id": spec.get("method_id", "flat_rate"),
            "instance_id": str(spec.get("instance_id", "1")),
            "total": php.wc_format_decimal(spec.get("total", 0)),
            "total_tax": "0.00",
            "taxes": [],
            "meta_data": [],
        }

    def add_note(
        self,
        order_id: int,
        note: str,
        *,
        customer_note: bool = False,
        author: str = "system",
        date_created: datetime | None = None,
    ) -> Note:
        order = self.orders[order_id]
        item = Note(next(self._comment_ids), order_id, note, customer_note, author, _utc(date_created, self.clock()))
        order.notes.append(item)
        return item

    def add_tracking(
        self,
        order_id: int,
        tracking_number: str,
        tracking_provider: str = "",
        *,
        custom_tracking_provider: str = "",
        custom_tracking_link: str = "",
        date_shipped: date | datetime | str | None = None,
    ) -> dict[str, Any]:
        """Seed a Shipment Tracking item; returns it as the extension's REST API shows it."""
        order = self.orders[order_id]
        shipped = date_shipped.isoformat() if isinstance(date_shipped, date) else date_shipped
        item = self.create_tracking(
            order, tracking_provider, custom_tracking_provider, custom_tracking_link, tracking_number, shipped or ""
        )
        return self.tracking_json(order, item)

    # --- write paths --------------------------------------------------------------------------------------

    def touch(self, order: Order) -> None:
        order.date_modified = max(self.clock(), order.date_modified)

    def set_status(self, order: Order, new_status: str) -> None:
        """WC_Order::set_status() + status_transition(): a system note records the change."""
        old = order.status
        if new_status == old:
            return
        order.status = new_status
        now = self.clock()
        if new_status == "completed":
            order.date_completed = now
        if new_status in ("processing", "completed") and order.date_paid is None:
            order.date_paid = now
        old_name, new_name = STATUS_NAMES.get(old, old), STATUS_NAMES.get(new_status, new_status)
        self.add_note(order.id, f"Order status changed from {old_name} to {new_name}.")

    def create_refund(
        self, order: Order, amount: Any, reason: str | None, lines: dict[Any, Any], api_refund: bool
    ) -> Refund:
        """wc_create_refund() then, with api_refund, wc_refund_payment(); errors are WooCommerce's."""
        remaining = order.remaining_refund_amount()
        if php.php_less(amount, Decimal(0)) or php.php_greater(amount, remaining):
            raise WPError("woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.", 500)
        value = php.to_decimal(amount) or Decimal(0)
        if api_refund:
            self._refund_via_gateway(order, value)
        refund = Refund(
            id=next(self._post_ids),
            order_id=order.id,
            amount=value,
            reason=reason or "",
            refunded_by=1,
            refunded_payment=api_refund,
            line_items=self._refund_lines(order, lines),
            date_created=self.clock(),
        )
        order.refunds.append(refund)
        self.refunds[refund.id] = refund
        if remaining - value <= 0:  # fully refunded -> woocommerce_order_fully_refunded_status
            self.set_status(order, "refunded")
        self.touch(order)
        return refund

    def _refund_via_gateway(self, order: Order, value: Decimal) -> None:
        def fail(message: str) -> WPError:
            return WPError("woocommerce_rest_cannot_create_order_refund", message, 500)

        if order.payment_method not in GATEWAY_TITLES:
            raise fail("The payment gateway for this order does not exist.")
        if order.payment_method not in REFUNDABLE_GATEWAYS:
            raise fail("The payment gateway for this order does not support automatic refunds.")
        if value <= 0:
            raise fail("An error occurred while attempting to create the refund using the payment gateway API.")

    def _refund_lines(self, order: Order, lines: dict[Any, Any]) -> list[LineItem]:
        refunded: list[LineItem] = []
        for item in order.line_items:
            spec = lines.get(item.id) or lines.get(str(item.id))
            if not isinstance(spec, dict) or not (spec.get("qty") or spec.get("refund_total")):
                continue  # items not in the order, or with nothing to refund, are skipped silently
            total = -(php.to_decimal(spec.get("refund_total")) or Decimal(0))
            quantity = -php.absint(spec.get("qty") or 0)
            refunded.append(
                LineItem(
                    next(self._item_ids),
                    item.name,
                    item.product_id,
                    item.variation_id,
                    quantity,
                    item.sku,
                    total,
                    total,
                )
            )
        return refunded

    def create_tracking(
        self,
        order: Order,
        provider: str,
        custom_provider: str,
        custom_link: str,
        number: str,
        shipped: str,
    ) -> dict[str, str]:
        stamp = int(self.clock().timestamp())
        parsed = _parse_shipped(shipped)
        item = {
            "tracking_provider": php.sanitize_title(provider),
            "custom_tracking_provider": custom_provider,
            "custom_tracking_link": custom_link,
            "tracking_number": number,
            "date_shipped": str(parsed if parsed else stamp),
            "tracking_id": hashlib.md5(
                f"{custom_provider or provider}-{number}{len(order.trackings)}{stamp}".encode()
            ).hexdigest(),
        }
        order.trackings.append(item)
        order.tracking_meta_id = order.tracking_meta_id or next(self._meta_ids)
        self.touch(order)
        return item

    def tracking_json(self, order: Order, item: dict[str, str]) -> dict[str, Any]:
        name, link = item["custom_tracking_provider"], ""
        if name:
            link = _fill_link(item["custom_tracking_link"], order, item["tracking_number"])
        else:
            for providers in TRACKING_PROVIDERS.values():
                for provider, template in providers.items():
                    if php.sanitize_title(provider) == item["tracking_provider"]:
                        name, link = provider, _fill_link(template, order, item["tracking_number"])
        base = f"/wc-shipment-tracking/v3/orders/{order.id}/shipment-trackings"
        return {
            "tracking_id": item["tracking_id"],
            "tracking_provider": name,
            "tracking_link": link,
            "tracking_number": item["tracking_number"],
            "date_shipped": datetime.fromtimestamp(int(item["date_shipped"]), UTC).strftime("%Y-%m-%d"),
            "_links": {
                "self": [{"href": self.site.rest_url(f"{base}/{item['tracking_id']}")}],
                "collection": [{"href": self.site.rest_url(base)}],
                "up": [{"href": self.site.rest_url(f"/wc-shipment-tracking/v3/orders/{order.id}")}],
            },
        }


def _parse_shipped(text: str) -> int:
    """strtotime() for the formats clients send (WordPress runs PHP in UTC); 0 when it cannot parse."""
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text), time(0))
        except ValueError:
            return 0
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())
