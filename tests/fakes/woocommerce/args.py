"""Route arguments as WooCommerce registers them, and the permission errors a visitor without a valid key gets.

Argument dicts are JSON-schema fragments that wp.check_args() validates with WordPress's rules; the extra keys
`default`, `required`, `sanitize` and `validate` (False = registered without a validate_callback) steer it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import php
from .shop import ORDER_STATUSES, Shop
from .store import SHIPPING_FIELDS
from .wp import Request, WPError

Permission = Callable[[Shop, Request, bool], "WPError | None"]

# --- argument schemas ----------------------------------------------------------------------------------------

STATUS_ENUM = ["auto-draft", *ORDER_STATUSES]
CURRENCIES = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTC BTN BWP BYR BYN BZD CAD "
    "CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GGP GHS GIP GMD GNF GTQ "
    "GYD HKD HNL HRK HTG HUF IDR ILS IMP INR IQD IRR IRT ISK JEP JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK "
    "LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN "
    "PGK PHP PKR PLN PRB PYG QAR RMB RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLL SOS SRD SSP STN SYP SZL THB TJS "
    "TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VEF VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW"
).split()


def _str(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def _int(**extra: Any) -> dict[str, Any]:
    return {"type": "integer", **extra}


def _bool(**extra: Any) -> dict[str, Any]:
    return {"type": "boolean", **extra}


CONTEXT = _str(enum=["view", "edit"], default="view")
ID_LIST = {"type": "array", "items": _int(), "default": [], "validate": False, "sanitize": php.wp_parse_id_list}


def collection_args(orderby: list[str], default_orderby: str = "date", default_order: str = "desc") -> dict[str, Any]:
    """WC_REST_Controller/WC_REST_CRUD_Controller::get_collection_params()."""
    return {
        "context": CONTEXT,
        "page": _int(default=1, minimum=1, sanitize=php.absint),
        "per_page": _int(default=10, minimum=1, maximum=100, sanitize=php.absint),
        "search": _str(),
        "exclude": ID_LIST,
        "include": ID_LIST,
        "offset": _int(sanitize=php.absint),
        "order": _str(default=default_order, enum=["asc", "desc"]),
        "orderby": _str(default=default_orderby, enum=orderby),
    }


DATE_ARGS = {
    "after": _str(format="date-time"),
    "before": _str(format="date-time"),
    "modified_after": _str(format="date-time"),
    "modified_before": _str(format="date-time"),
    "dates_are_gmt": _bool(default=False),
}
CRUD_ORDERBY = ["date", "id", "include", "title", "slug", "modified"]
ORDER_LIST_ARGS = {
    **collection_args(CRUD_ORDERBY),
    **DATE_ARGS,
    "parent": ID_LIST,
    "parent_exclude": ID_LIST,
    "status": {"type": "array", "default": "any", "items": _str(enum=["any", "trash", *STATUS_ENUM])},
    "customer": _int(sanitize=php.absint),
    "product": _int(sanitize=php.absint),
    "dp": _int(default=2, sanitize=php.absint),
}
_ADDRESS = {name: _str() for name in SHIPPING_FIELDS}
ORDER_UPDATE_ARGS = {
    "parent_id": _int(),
    "status": _str(enum=STATUS_ENUM),
    "currency": _str(enum=CURRENCIES),
    "customer_id": _int(),
    "customer_note": _str(),
    "billing": {"type": "object", "properties": {**_ADDRESS, "email": {"type": ["string", "null"], "format": "email"}}},
    "shipping": {"type": "object", "properties": _ADDRESS},
    "payment_method": _str(),
    "payment_method_title": _str(),
    "transaction_id": _str(),
    "meta_data": {"type": "array", "items": {"type": "object", "properties": {"key": _str()}}},
    "line_items": {"type": "array", "items": {"type": "object"}},
    "shipping_lines": {"type": "array", "items": {"type": "object"}},
    "fee_lines": {"type": "array", "items": {"type": "object"}},
    "coupon_lines": {"type": "array", "items": {"type": "object"}},
    "set_paid": _bool(),
}
NOTE_CREATE_ARGS = {
    "note": _str(required=True),
    "customer_note": _bool(default=False),
    "added_by_user": _bool(default=False),
}
REFUND_CREATE_ARGS = {
    "amount": _str(),
    "reason": _str(),
    "refunded_by": _int(),
    "meta_data": {"type": "array", "items": {"type": "object", "properties": {"key": _str()}}},
    "api_refund": _bool(default=True),
    "api_restock": _bool(default=True),
}
CUSTOMER_LIST_ARGS = {
    **collection_args(["id", "include", "name", "registered_date"], "name", "asc"),
    "email": _str(format="email"),
    "role": _str(
        default="customer",
        enum=["all", "administrator", "editor", "author", "contributor", "subscriber", "customer", "shop_manager"],
    ),
}
PRODUCT_LIST_ARGS = {
    **collection_args([*CRUD_ORDERBY, "price", "popularity", "rating", "menu_order"]),
    **DATE_ARGS,
    "slug": _str(),
    "status": _str(default="any", enum=["any", "future", "trash", "draft", "pending", "private", "publish"]),
    "type": _str(enum=["simple", "grouped", "external", "variable"]),
    "sku": _str(),
    "featured": _bool(),
    "category": _str(),
    "tag": _str(),
    "on_sale": _bool(),
    "min_price": _str(),
    "max_price": _str(),
    "stock_status": _str(enum=["instock", "outofstock", "onbackorder"]),
}
TERM_LIST_ARGS = {
    **collection_args(["id", "include", "name", "slug", "term_group", "description", "count"], "name", "asc"),
    "hide_empty": _bool(default=False),
    "parent": _int(),
    "product": _int(),
    "slug": _str(),
}
ORDER_GET_ARGS = {"context": CONTEXT, "dp": _int(sanitize=php.absint)}
NOTE_LIST_ARGS = {"context": CONTEXT, "type": _str(default="any", enum=["any", "customer", "internal"])}
REFUND_LIST_ARGS = {**collection_args(CRUD_ORDERBY), "dp": _int(default=2, sanitize=php.absint)}
TRACKING_CREATE_ARGS = {
    "tracking_provider": _str(),
    "custom_tracking_provider": _str(),
    "custom_tracking_link": {"type": "url"},  # not a JSON-schema type, so WordPress validates nothing
    "tracking_number": {"required": True},  # array_merge() replaced the schema entry: required, untyped
    "date_shipped": {"type": "date"},
}

# --- permissions ---------------------------------------------------------------------------------------------


def deny(code: str, message: str) -> Permission:
    """wc_rest_check_*_permissions() fails for a visitor with no valid key: 401 (403 once logged in)."""

    def check(shop: Shop, req: Request, authed: bool) -> WPError | None:
        return None if authed else WPError(code, message, {"status": 401})

    return check


CANNOT_LIST = deny("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
CANNOT_VIEW = deny("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
CANNOT_EDIT = deny("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
CANNOT_CREATE = deny("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
CANNOT_DELETE = deny("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")


def customer_view(shop: Shop, req: Request, authed: bool) -> WPError | None:
    # Users::get_user_in_current_site() runs first, so an unknown ID is a 404 even without credentials.
    if php.absint(req.url_params["id"]) not in shop.customers:
        return WPError("wc_user_invalid_id", "Invalid user ID.", {"status": 404})
    return CANNOT_VIEW(shop, req, authed)


def term_view(taxonomy: str) -> Permission:
    def check(shop: Shop, req: Request, authed: bool) -> WPError | None:
        term = shop.terms.get(php.absint(req.url_params["id"]))
        if term is None or term.taxonomy != taxonomy:
            return WPError("woocommerce_rest_term_invalid", "Resource does not exist.", {"status": 404})
        return CANNOT_VIEW(shop, req, authed)

    return check


def note_view(shop: Shop, req: Request, authed: bool) -> WPError | None:
    # The v1 check only asks for read access when the order exists.
    exists = php.absint(req.url_params["order_id"]) in shop.orders
    return CANNOT_VIEW(shop, req, authed) if exists else None


def product_view(shop: Shop, req: Request, authed: bool) -> WPError | None:
    exists = php.absint(req.url_params["id"]) in shop.products
    return CANNOT_VIEW(shop, req, authed) if exists else None
