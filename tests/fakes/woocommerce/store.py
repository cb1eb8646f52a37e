"""In-memory store records and their REST representations (wc/v3 field names, order and formatting).

Money is Decimal internally and a 2-decimal string in JSON (wc_format_decimal with the `dp` argument); a line
item's `price` is a JSON number, as the orders controller computes it (total / quantity). Dates are stored in
UTC; `date_x` is printed in the site's timezone and `date_x_gmt` in UTC, both without an offset.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from . import php

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)
BILLING_FIELDS = (*ADDRESS_FIELDS, "email", "phone")
SHIPPING_FIELDS = (*ADDRESS_FIELDS, "phone")
STATUS_NAMES = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
}


def address(kind: tuple[str, ...], values: dict[str, Any] | None) -> dict[str, str]:
    values = values or {}
    return {name: str(values.get(name) or "") for name in kind}


@dataclass
class Site:
    """What the serializers need to know about the store."""

    home: str
    timezone: tzinfo
    currency_symbols: dict[str, str] = field(default_factory=lambda: {"USD": "$", "EUR": "€", "GBP": "£", "BRL": "R$"})

    def rest_url(self, route: str) -> str:
        return f"{self.home}/wp-json{route}"

    def date(self, moment: datetime | None, gmt: bool) -> str | None:
        """wc_rest_prepare_date_response(): 'Y-m-d\\TH:i:s', site-local or UTC, no offset."""
        if moment is None:
            return None
        shown = moment if gmt else moment.astimezone(self.timezone)
        return shown.strftime("%Y-%m-%dT%H:%M:%S")

    def dates(self, name: str, moment: datetime | None) -> dict[str, str | None]:
        return {name: self.date(moment, gmt=False), f"{name}_gmt": self.date(moment, gmt=True)}


@dataclass
class Customer:
    id: int
    email: str
    first_name: str
    last_name: str
    username: str
    role: str
    billing: dict[str, str]
    shipping: dict[str, str]
    date_created: datetime
    date_modified: datetime
    is_paying_customer: bool = False
    meta_data: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, site: Site) -> dict[str, Any]:
        return {
            "id": self.id,
            **site.dates("date_created", self.date_created),
            **site.dates("date_modified", self.date_modified),
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "role": self.role,
            "username": self.username,
            "billing": dict(self.billing),
            "shipping": dict(self.shipping),
            "is_paying_customer": self.is_paying_customer,
            "avatar_url": "https://secure.gravatar.com/avatar/"
            + hashlib.md5(self.email.strip().lower().encode()).hexdigest()
            + "?s=96&d=mm&r=g",
            "meta_data": list(self.meta_data),
            "_links": {
                "self": [{"href": site.rest_url(f"/wc/v3/customers/{self.id}")}],
                "collection": [{"href": site.rest_url("/wc/v3/customers")}],
            },
        }


@dataclass
class Term:
    id: int
    taxonomy: str  # product_cat | product_tag
    name: str
    slug: str
    parent: int = 0
    description: str = ""
    count: int = 0

    def to_json(self, site: Site) -> dict[str, Any]:
        base = "categories" if self.taxonomy == "product_cat" else "tags"
        data: dict[str, Any] = {"id": self.id, "name": self.name, "slug": self.slug}
        if self.taxonomy == "product_cat":
            data.update(parent=self.parent, description=self.description, display="default", image=None, menu_order=0)
        else:
            data["description"] = self.description
        data["count"] = self.count
        data["_links"] = {
            "self": [{"href": site.rest_url(f"/wc/v3/products/{base}/{self.id}")}],
            "collection": [{"href": site.rest_url(f"/wc/v3/products/{base}")}],
        }
        return data


@dataclass
class Product:
    id: int
    name: str
    slug: str
    sku: str
    price: Decimal
    regular_price: Decimal
    sale_price: Decimal | None
    status: str
    type: str
    categories: list[int]
    tags: list[int]
    stock_quantity: int | None
    stock_status: str
    date_created: datetime
    date_modified: datetime
    description: str = ""
    short_description: str = ""
    featured: bool = False
    virtual: bool = False
    weight: str = ""
    meta_data: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, site: Site, terms: dict[int, Term], dp: int) -> dict[str, Any]:
        price = php.wc_format_decimal(self.price, dp)
        return {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "permalink": f"{site.home}/product/{self.slug}/",
            **site.dates("date_created", self.date_created),
            **site.dates("date_modified", self.date_modified),
            "type": self.type,
            "status": self.status,
            "featured": self.featured,
            "catalog_visibility": "visible",
            "description": self.description,
            "short_description": self.short_description,
            "sku": self.sku,
            "price": price,
            "regular_price": php.wc_format_decimal(self.regular_price, dp),
            "sale_price": php.wc_format_decimal(self.sale_price, dp) if self.sale_price is not None else "",
            "on_sale": self.sale_price is not None,
            "purchasable": self.status == "publish",
            "total_sales": 0,
            "virtual": self.virtual,
            "downloadable": False,
            "tax_status": "taxable",
            "tax_class": "",
            "manage_stock": self.stock_quantity is not None,
            "stock_quantity": self.stock_quantity,
            "backorders": "no",
            "weight": self.weight,
            "dimensions": {"length": "", "width": "", "height": ""},
            "shipping_required": not self.virtual,
            "categories": [_term_ref(terms[t]) for t in self.categories if t in terms],
            "tags": [_term_ref(terms[t]) for t in self.tags if t in terms],
            "images": [],
            "attributes": [],
            "variations": [],
            "meta_data": list(self.meta_data),
            "stock_status": self.stock_status,
            "_links": {
                "self": [{"href": site.rest_url(f"/wc/v3/products/{self.id}")}],
                "collection": [{"href": site.rest_url("/wc/v3/products")}],
            },
        }


def _term_ref(term: Term) -> dict[str, Any]:
    return {"id": term.id, "name": term.name, "slug": term.slug}


@dataclass
class LineItem:
    id: int
    name: str
    product_id: int
    variation_id: int
    quantity: int
    sku: str | None
    total: Decimal
    subtotal: Decimal

    def to_json(self, dp: int) -> dict[str, Any]:
        price = float(self.total / self.quantity) if self.quantity else 0
        return {
            "id": self.id,
            "name": self.name,
            "product_id": self.product_id,
            "variation_id": self.variation_id,
            "quantity": self.quantity,
            "tax_class": "",
            "subtotal": php.wc_format_decimal(self.subtotal, dp),
            "subtotal_tax": php.wc_format_decimal(0, dp),
            "total": php.wc_format_decimal(self.total, dp),
            "total_tax": php.wc_format_decimal(0, dp),
            "taxes": [],
            "meta_data": [],
            "sku": self.sku,
            "price": price,
            "image": {"id": 0, "src": ""},
            "parent_name": None,
        }


@dataclass
class Note:
    id: int
    order_id: int
    note: str
    customer_note: bool
    author: str
    date_created: datetime

    def to_json(self, site: Site) -> dict[str, Any]:
        route = f"/wc/v3/orders/{self.order_id}/notes"
        return {
            "id": self.id,
            "author": self.author,
            **site.dates("date_created", self.date_created),
            "note": self.note,
            "customer_note": self.customer_note,
            "_links": {
                "self": [{"href": site.rest_url(f"{route}/{self.id}")}],
                "collection": [{"href": site.rest_url(route)}],
                "up": [{"href": site.rest_url(f"/wc/v3/orders/{self.order_id}")}],
            },
        }


@dataclass
class Refund:
    id: int
    order_id: int
    amount: Decimal
    reason: str
    refunded_by: int
    refunded_payment: bool
    line_items: list[LineItem]
    date_created: datetime
    meta_data: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, site: Site, dp: int, context: str) -> dict[str, Any]:
        route = f"/wc/v3/orders/{self.order_id}/refunds"
        data: dict[str, Any] = {
            "id": self.id,
            **site.dates("date_created", self.date_created),
            "amount": php.wc_format_decimal(self.amount, dp),
            "reason": self.reason,
            "refunded_by": self.refunded_by,
            "refunded_payment": self.refunded_payment,
            "meta_data": list(self.meta_data),
            "line_items": [item.to_json(dp) for item in self.line_items],
            "shipping_lines": [],
            "tax_lines": [],
            "fee_lines": [],
            "_links": {
                "self": [{"href": site.rest_url(f"{route}/{self.id}")}],
                "collection": [{"href": site.rest_url(route)}],
                "up": [{"href": site.rest_url(f"/wc/v3/orders/{self.order_id}")}],
            },
        }
        if context == "edit":
            del data["refunded_payment"]  # its schema context is ['view'] only, so 'edit' responses drop it
        return data


@dataclass
class Order:
    id: int
    number: str
    order_key: str
    status: str
    currency: str
    customer_id: int
    billing: dict[str, str]
    shipping: dict[str, str]
    payment_method: str
    payment_method_title: str
    transaction_id: str
    line_items: list[LineItem]
    shipping_total: Decimal
    discount_total: Decimal
    total: Decimal
    customer_note: str
    date_created: datetime
    date_modified: datetime
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    created_via: str = "checkout"
    shipping_lines: list[dict[str, Any]] = field(default_factory=list)
    meta_data: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    trackings: list[dict[str, Any]] = field(default_factory=list)
    tracking_meta_id: int = 0

    def total_refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal(0))

    def remaining_refund_amount(self) -> Decimal:
        return self.total - self.total_refunded()

    def needs_payment(self) -> bool:
        return self.status in ("pending", "failed") and self.total > 0

    def to_json(self, site: Site, dp: int) -> dict[str, Any]:
        money = {
            key: php.wc_format_decimal(value, dp)
            for key, value in (
                ("discount_total", self.discount_total),
                ("discount_tax", 0),
                ("shipping_total", self.shipping_total),
                ("shipping_tax", 0),
                ("cart_tax", 0),
                ("total", self.total),
                ("total_tax", 0),
            )
        }
        links: dict[str, Any] = {
            "self": [{"href": site.rest_url(f"/wc/v3/orders/{self.id}")}],
            "collection": [{"href": site.rest_url("/wc/v3/orders")}],
        }
        if self.customer_id:
            links["customer"] = [{"href": site.rest_url(f"/wc/v3/customers/{self.customer_id}")}]
        return {
            "id": self.id,
            "parent_id": 0,
            "status": self.status,
            "currency": self.currency,
            "version": "9.8.5",
            "prices_include_tax": False,
            "date_created": site.date(self.date_created, gmt=False),
            "date_modified": site.date(self.date_modified, gmt=False),
            **{k: money[k] for k in ("discount_total", "discount_tax", "shipping_total", "shipping_tax", "cart_tax")},
            "total": money["total"],
            "total_tax": money["total_tax"],
            "customer_id": self.customer_id,
            "order_key": self.order_key,
            "billing": dict(self.billing),
            "shipping": dict(self.shipping),
            "payment_method": self.payment_method,
            "payment_method_title": self.payment_method_title,
            "transaction_id": self.transaction_id,
            "customer_ip_address": "",
            "customer_user_agent": "",
            "created_via": self.created_via,
            "customer_note": self.customer_note,
            "date_completed": site.date(self.date_completed, gmt=False),
            "date_paid": site.date(self.date_paid, gmt=False),
            "cart_hash": "",
            "number": self.number,
            "meta_data": self._meta_json(),
            "line_items": [item.to_json(dp) for item in self.line_items],
            "tax_lines": [],
            "shipping_lines": [dict(line) for line in self.shipping_lines],
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [
                {"id": r.id, "reason": r.reason, "total": "-" + php.wc_format_decimal(r.amount, dp)}
                for r in reversed(self.refunds)  # newest first, as WC_Order::get_refunds() returns them
            ],
            "payment_url": f"{site.home}/checkout/order-pay/{self.id}/?pay_for_order=true&key={self.order_key}",
            "is_editable": self.status in ("pending", "on-hold", "auto-draft"),
            "needs_payment": self.needs_payment(),
            "needs_processing": True,
            "date_created_gmt": site.date(self.date_created, gmt=True),
            "date_modified_gmt": site.date(self.date_modified, gmt=True),
            "date_completed_gmt": site.date(self.date_completed, gmt=True),
            "date_paid_gmt": site.date(self.date_paid, gmt=True),
            "currency_symbol": site.currency_symbols.get(self.currency, self.currency),
            "_links": links,
        }

    def _meta_json(self) -> list[dict[str, Any]]:
        meta = list(self.meta_data)
        if self.tracking_meta_id:
            # The Shipment Tracking extension stores its items as order meta, which the REST API exposes.
            stored = [dict(t) for t in self.trackings]
            meta.append({"id": self.tracking_meta_id, "key": "_wc_shipment_tracking_items", "value": stored})
        return meta
