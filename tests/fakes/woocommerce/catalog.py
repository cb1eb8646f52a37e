"""Handlers for customers, products, product terms (wc/v3) and the Shipment Tracking extension."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import php
from .listing import Handler, Reply, date_filter, find_order, in_ids, ok, paginate, sort_items
from .shop import TRACKING_PROVIDERS, Shop
from .store import Order
from .wp import Request, WPError

# --- customers, products, terms ------------------------------------------------------------------------------


def list_customers(shop: Shop, req: Request) -> Reply:
    customers = list(shop.customers.values())
    if req.get("role") != "all":
        customers = [c for c in customers if c.role == req.get("role")]
    if req.get("email"):  # WP_User_Query search on user_email only, exact (MySQL collation: case-insensitive)
        customers = [c for c in customers if c.email.lower() == req.get("email").lower()]
    elif req.get("search"):
        term = req.get("search").lower()
        customers = [c for c in customers if term in f"{c.username} {c.email} {_display_name(c)}".lower()]
    customers = sort_items(
        in_ids(customers, req),
        req,
        {"name": _display_name, "id": lambda c: c.id, "registered_date": lambda c: c.date_created},
    )
    return paginate(shop, req, customers, lambda c: c.to_json(shop.site))


def _display_name(customer: Any) -> str:
    return f"{customer.first_name} {customer.last_name}".strip() or customer.username


def get_customer(shop: Shop, req: Request) -> Reply:
    return ok(shop.customers[php.absint(req.url_params["id"])].to_json(shop.site))


def list_products(shop: Shop, req: Request) -> Reply:
    products = [
        p
        for p in shop.products.values()
        if req.get("status") in ("any", p.status) and p.status != "trash" or req.get("status") == "trash" == p.status
    ]
    if req.get("sku"):
        skus = [s.strip() for s in req.get("sku").split(",")]
        products = [p for p in products if p.sku in skus]
    for name, attr in (("category", "categories"), ("tag", "tags")):
        if req.get(name):
            wanted = php.wp_parse_id_list(req.get(name))
            products = [p for p in products if set(getattr(p, attr)) & set(wanted)]
    filters: dict[str, Callable[[Any], bool]] = {
        "slug": lambda p: p.slug == req.get("slug"),
        "type": lambda p: p.type == req.get("type"),
        "featured": lambda p: p.featured == req.get("featured"),
        "on_sale": lambda p: (p.sale_price is not None) == req.get("on_sale"),
        "stock_status": lambda p: p.stock_status == req.get("stock_status"),
        "min_price": lambda p: p.price >= (php.to_decimal(req.get("min_price")) or 0),
        "max_price": lambda p: p.price <= (php.to_decimal(req.get("max_price")) or 0),
        "search": lambda p: req.get("search").lower() in f"{p.name} {p.description}".lower(),
    }
    for name, keep in filters.items():
        if req.get(name) is not None and req.get(name) != "":
            products = [p for p in products if keep(p)]
    products = date_filter(in_ids(products, req), req, shop, "date_created", "date_modified")
    products = sort_items(
        products,
        req,
        {
            "date": lambda p: p.date_created,
            "modified": lambda p: p.date_modified,
            "id": lambda p: p.id,
            "title": lambda p: p.name.lower(),
            "slug": lambda p: p.slug,
            "price": lambda p: p.price,
        },
    )
    return paginate(shop, req, products, lambda p: p.to_json(shop.site, shop.terms, 2))


def get_product(shop: Shop, req: Request) -> Reply:
    product = shop.products.get(php.absint(req.url_params["id"]))
    if product is None:
        raise WPError("woocommerce_rest_product_invalid_id", "Invalid ID.", {"status": 404})
    return ok(product.to_json(shop.site, shop.terms, 2))


def list_terms(taxonomy: str) -> Handler:
    def handler(shop: Shop, req: Request) -> Reply:
        terms = [t for t in shop.terms.values() if t.taxonomy == taxonomy]
        if req.get("hide_empty"):
            terms = [t for t in terms if t.count]
        if req.has("parent") and taxonomy == "product_cat":
            terms = [t for t in terms if t.parent == req.get("parent")]
        if req.get("slug"):
            terms = [t for t in terms if t.slug in php.wp_parse_list(req.get("slug"))]
        if req.get("search"):
            terms = [t for t in terms if req.get("search").lower() in f"{t.name} {t.slug}".lower()]
        terms = sort_items(
            in_ids(terms, req),
            req,
            {
                "name": lambda t: t.name.lower(),
                "id": lambda t: t.id,
                "slug": lambda t: t.slug,
                "count": lambda t: t.count,
            },
        )
        return paginate(shop, req, terms, lambda t: t.to_json(shop.site))

    return handler


def get_term(shop: Shop, req: Request) -> Reply:
    return ok(shop.terms[php.absint(req.url_params["id"])].to_json(shop.site))


# --- Shipment Tracking extension -----------------------------------------------------------------------------


def _tracking_order(shop: Shop, req: Request) -> Order:
    order = find_order(shop, req, "order_id")
    if order is None:
        raise WPError("woocommerce_rest_order_invalid_id", "Invalid order ID.", {"status": 404})
    return order


def list_trackings(shop: Shop, req: Request) -> Reply:
    order = _tracking_order(shop, req)
    return ok([shop.tracking_json(order, item) for item in order.trackings])


def create_tracking(shop: Shop, req: Request) -> Reply:
    if req.get("tracking_id"):
        raise WPError(
            "woocommerce_rest_shop_order_shipment_tracking_exists",
            "Cannot create existing order shipment tracking.",
            {"status": 400},
        )
    order = _tracking_order(shop, req)
    fields = (
        "tracking_provider",
        "custom_tracking_provider",
        "custom_tracking_link",
        "tracking_number",
        "date_shipped",
    )
    values = [str(req.get(name) or "").strip() for name in fields]
    item = shop.create_tracking(order, *values)
    body = shop.tracking_json(order, item)
    return ok(body, 201, [("Location", body["_links"]["self"][0]["href"])])


def _tracking_item(shop: Shop, req: Request) -> tuple[Order, dict[str, str]]:
    order = _tracking_order(shop, req)
    item = next((t for t in order.trackings if t["tracking_id"] == req.url_params["id"]), None)
    if item is None:
        raise WPError(
            "woocommerce_rest_order_shipment_tracking_invalid_id", "Invalid shipment tracking ID.", {"status": 404}
        )
    return order, item


def get_tracking(shop: Shop, req: Request) -> Reply:
    order, item = _tracking_item(shop, req)
    return ok(shop.tracking_json(order, item))


def delete_tracking(shop: Shop, req: Request) -> Reply:
    order, item = _tracking_item(shop, req)
    body = shop.tracking_json(order, item)
    order.trackings.remove(item)
    shop.touch(order)
    return ok(body)


def tracking_providers(shop: Shop, req: Request) -> Reply:
    return ok(TRACKING_PROVIDERS)
