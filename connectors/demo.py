"""Deterministic demo store: the same seed and anchor time always give the same store.

Markets and catalog live in connectors/demo_data/*.yaml. Orders cycle through scenarios so that every order and
shipment status, customs holds with unpaid duties, lost parcels, multi-shipment orders, final-sale and low-value
items, old deliveries and cash payments all appear in any store of at least len(SCENARIOS) orders.

Every order is paid with a method its market accepts (countries.yaml); the cash scenarios go to shoppers in markets
that accept one of the store policy's cash methods (returns.cash_payment_methods: boleto, OXXO, cash on delivery).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

ZERO_DECIMAL = {"JPY", "KRW", "IDR", "VND", "COP"}
DEFAULT_FX = {"USD": 1.0}
# The default store policy's returns.cash_payment_methods (a test keeps them equal); connectors don't import the
# assistant, so callers with a policy pass theirs.
DEFAULT_CASH_METHODS = ("boleto", "oxxo", "cod")


@dataclass(frozen=True)
class Scenario:
    name: str
    order_status: str
    shipments: tuple[str, ...] = ()  # final status of each shipment
    delivered_days_ago: int = 10
    skus: tuple[str, ...] = ()  # fixed items; otherwise random
    cash: bool = False
    duties: str | None = None  # force a duties status


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("delivered_recent", "delivered", ("delivered",), 10),
    Scenario("in_transit", "shipped", ("in_transit",)),
    Scenario("customs_hold_unpaid", "shipped", ("customs_hold",), duties="unpaid"),
    Scenario("delivered_long_ago", "delivered", ("delivered",), 120),
    Scenario("processing", "processing"),
    Scenario("pending_cash_payment", "pending_payment", cash=True),
    Scenario("out_for_delivery", "shipped", ("out_for_delivery",)),
    Scenario("lost_parcel", "shipped", ("lost",)),
    Scenario("delivery_failed", "shipped", ("delivery_failed",)),
    Scenario("multi_shipment", "shipped", ("delivered", "in_transit"), 5, skus=("KBD-1", "TEE-BLK-M")),
    Scenario("delivered_day_31", "delivered", ("delivered",), 31, skus=("BAG-1",)),
    Scenario("final_sale", "delivered", ("delivered",), 8, skus=("DRESS-SALE", "SERUM-1")),
    Scenario("low_value", "delivered", ("delivered",), 6, skus=("SOCK-3", "CASE-1")),
    Scenario("cancelled", "cancelled"),
    Scenario("refunded", "refunded", ("delivered",), 40),
    Scenario("return_in_progress", "return_in_progress", ("delivered",), 12),
    Scenario("label_created", "shipped", ("label_created",)),
    Scenario("returned_to_sender", "shipped", ("returned_to_sender",)),
    Scenario("high_value", "delivered", ("delivered",), 5, skus=("DRONE-1",)),
    Scenario("electronics_day_20", "delivered", ("delivered",), 20, skus=("EAR-1",)),
    Scenario("delivered_cash", "delivered", ("delivered",), 7, cash=True, skus=("SNK-41",)),
    Scenario("delivered_day_30", "delivered", ("delivered",), 30, skus=("LAMP-1",)),
)

# Delivery days after dispatch by market (kept in step with the shipping policy in the demo KB).
TRANSIT_DAYS = {"CN": 5, "JP": 5, "KR": 5, "ID": 8, "VN": 8, "TH": 8, "PH": 8, "ES": 7, "DE": 7, "FR": 7,
                "IT": 7, "NL": 7, "PL": 7, "US": 8, "TR": 11, "SA": 10, "AE": 10, "EG": 14, "BR": 15,
                "MX": 15, "CO": 15}


@cache
def _data(name: str) -> Any:
    text = resources.files("connectors.demo_data").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def markets() -> dict[str, dict[str, Any]]:
    return dict(_data("countries.yaml"))


def catalog() -> list[dict[str, Any]]:
    return list(_data("products.yaml"))


def generate(*, orders: int = 300, seed: int = 7, now: datetime, fx: dict[str, float] | None = None,
             customers_per_market: int | None = None, cash_methods: Collection[str] | None = None) -> dict[str, Any]:
    """Build a store document in the JSON import format.

    `fx` and `cash_methods` come from the store policy (fx_to_usd, returns.cash_payment_methods); without them,
    USD prices and the default policy's cash methods.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)
    fx = fx or DEFAULT_FX
    cash = frozenset(DEFAULT_CASH_METHODS if cash_methods is None else cash_methods)
    mk = markets()
    per_market = customers_per_market or max(2, min(40, orders // (4 * len(mk)) + 1))
    customers = _customers(rng, mk, per_market)
    products = [{"final_sale": False, "currency": "USD", **p} for p in catalog()]
    by_sku = {p["sku"]: p for p in products}
    cash_customers = [c for c in customers if cash_payments(mk[c["country"]], cash)]
    out_orders = []
    for i in range(orders):
        scenario = SCENARIOS[i % len(SCENARIOS)]
        customer = _customer(rng, i, customers, cash_customers if scenario.cash else None)
        out_orders.append(_order(rng, i, customer, mk[customer["country"]], scenario, by_sku, fx, now, cash))
    public = [{k: v for k, v in c.items() if k != "_address"} for c in customers]
    return {"customers": public, "products": products, "orders": out_orders}


def cash_payments(market: dict[str, Any], cash_methods: Collection[str]) -> list[str]:
    """The cash methods a market accepts, in its own order of preference."""
    return [p for p in market["payments"] if p in cash_methods]


def _customer(rng: random.Random, i: int, customers: list[dict[str, Any]],
              only: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Who places order i: every customer in turn, then anyone at random. With `only` (the customers who can pay
    in cash, for a cash scenario) the next such customer in turn, or one of them at random."""
    if i >= len(customers):
        return rng.choice(only or customers)
    if not only:
        return customers[i]
    ids = {c["id"] for c in only}
    return next(c for c in customers[i:] + customers[:i] if c["id"] in ids)


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum()).lower()


def _fill(pattern: str, rng: random.Random) -> str:
    out = pattern
    for key, width in (("{n1}", 1), ("{n2}", 2), ("{n3}", 3), ("{n4}", 4)):
        while key in out:
            out = out.replace(key, str(rng.randrange(10 ** (width - 1), 10 ** width)), 1)
    return out.replace("{n}", str(rng.randrange(10, 999)))


def _customers(rng: random.Random, mk: dict[str, dict[str, Any]], per_market: int) -> list[dict[str, Any]]:
    customers: list[dict[str, Any]] = []
    for round_ in range(per_market):
        for cc, m in mk.items():
            n = len(customers) + 1
            first, last = rng.choice(m["first"]), rng.choice(m["last"])
            if n == 1:  # the customer of the import-format example, for docs and tests
                first, last = "Ana", "Souza"
            city, postal, region = m["cities"][0] if n == 1 else rng.choice(m["cities"])
            slug = f"{_ascii(first)}.{_ascii(last)}".strip(".")
            email = "ana@example.com" if n == 1 else (
                f"{slug}{n}@example.com" if len(slug) > 3 else f"shopper.{cc.lower()}{n}@example.com")
            customers.append({
                "id": f"cus_{n:03d}", "name": f"{first} {last}" if cc not in {"CN", "JP", "KR"} else f"{last}{first}",
                "email": email, "phone": _fill(m["phone"], rng), "country": cc, "language": m["language"],
                "postal_code": "01310-100" if n == 1 else postal,
                "_address": {"line1": _fill(rng.choice(m["streets"]), rng), "city": city, "region": region},
            })
        del round_
    return customers


def _money(amount_usd: float, currency: str, fx: dict[str, float]) -> float:
    local = amount_usd / fx.get(currency, 1.0)
    if currency in ZERO_DECIMAL:
        return float(round(local, -2) if local > 1000 else round(local))
    return round(local, 2)


def _tracking(rng: random.Random, m: dict[str, Any]) -> str:
    prefix, digits, suffix = m["tracking"]
    return f"{prefix}{rng.randrange(10 ** (digits - 1), 10 ** digits)}{suffix}"


def _order(rng: random.Random, i: int, customer: dict[str, Any], m: dict[str, Any], sc: Scenario,
           by_sku: dict[str, dict[str, Any]], fx: dict[str, float], now: datetime,
           cash_methods: Collection[str]) -> dict[str, Any]:
    cc, cur = customer["country"], m["currency"]
    skus = list(sc.skus) or rng.sample(sorted(s for s in by_sku if s not in {"DRONE-1"}), rng.choice((1, 1, 2)))
    items = [{"sku": s, "name": by_sku[s]["name"], "quantity": 1,
              "unit_price": _money(by_sku[s]["price"], cur, fx)} for s in skus]
    subtotal_usd = sum(by_sku[s]["price"] for s in skus)
    shipping = 0.0 if subtotal_usd >= 50 else _money(6, cur, fx)
    total = round(sum(it["unit_price"] for it in items) + shipping, 2)
    cash = cash_payments(m, cash_methods)
    payment = cash[0] if sc.cash and cash else rng.choice(m["payments"])
    transit = TRANSIT_DAYS[cc]
    if sc.shipments and "delivered" in sc.shipments:
        delivered_at = (now - timedelta(days=sc.delivered_days_ago)).replace(hour=15, minute=20, second=0,
                                                                            microsecond=0)
        placed = delivered_at - timedelta(days=transit + 2, hours=rng.randrange(1, 9))
    elif sc.shipments:
        delivered_at = None
        placed = now - timedelta(days=rng.randrange(4, transit + 3), hours=rng.randrange(1, 12))
    else:
        delivered_at = None
        placed = now - timedelta(days=rng.randrange(0, 2), hours=rng.randrange(1, 20))
    if sc.name == "lost_parcel":
        placed = now - timedelta(days=transit + 25)
    shipments = []
    groups = [skus] if len(sc.shipments) <= 1 else [[s] for s in skus]
    for n, status in enumerate(sc.shipments):
        group = groups[n] if n < len(groups) else skus
        shipments.append(_shipment(rng, m, cc, status, group, placed, transit, delivered_at, now))
    address = {"name": customer["name"], **customer["_address"], "postal_code": customer["postal_code"],
               "country": cc}
    order: dict[str, Any] = {
        "id": f"{cc}-{100234 + i}", "customer_id": customer["id"], "status": sc.order_status,
        "placed_at": _iso(placed), "currency": cur, "total": total, "payment_method": payment,
        "shipping_address": address, "items": items, "shipments": shipments,
        "duties": _duties(m, cur, subtotal_usd, fx, sc.duties),
    }
    return order


def _duties(m: dict[str, Any], cur: str, subtotal_usd: float, fx: dict[str, float],
            forced: str | None) -> dict[str, Any]:
    regime = m["duties"]
    eur_value = subtotal_usd / fx.get("EUR", 1.08)
    if regime == "ddp" or (regime == "ioss" and eur_value <= 150):
        status, amount = "prepaid", _money(subtotal_usd * 0.2, cur, fx)
    else:
        status, amount = "paid", _money(subtotal_usd * 0.18, cur, fx)
    if forced == "unpaid":
        status = "unpaid" if regime != "ddp" else "prepaid"
    return {"amount": amount, "currency": cur, "status": status}


def _shipment(rng: random.Random, m: dict[str, Any], cc: str, final: str, skus: list[str], placed: datetime,
              transit: int, delivered_at: datetime | None, now: datetime) -> dict[str, Any]:
    city = m["cities"][0][0]
    t0 = placed + timedelta(days=1)
    events = [_event(t0, "label_created", "Shenzhen, CN", "Shipping label created")]
    eta = (placed + timedelta(days=transit + 2)).date()
    if final != "label_created":
        events.append(_event(t0 + timedelta(days=1), "in_transit", "Shenzhen, CN", "Departed origin facility"))
        arrival = min(t0 + timedelta(days=max(2, transit - 2)), now - timedelta(hours=6))
        if final == "lost":
            arrival = t0 + timedelta(days=2)
        events.append(_event(arrival, "in_transit", f"{city}, {cc}", "Arrived in destination country"))
        last = arrival
        if final == "customs_hold":
            last = min(arrival + timedelta(hours=8), now - timedelta(hours=1))
            events.append(_event(last, "customs_hold", f"{city}, {cc}",
                                 "Held by customs: import duties and taxes to be paid by the recipient"))
        elif final in {"out_for_delivery", "delivered", "delivery_failed", "returned_to_sender"}:
            ofd = (delivered_at - timedelta(hours=6)) if delivered_at else min(arrival + timedelta(days=1),
                                                                             now - timedelta(hours=3))
            events.append(_event(ofd, "out_for_delivery", f"{city}, {cc}", "Out for delivery"))
            last = ofd
            if final == "delivered" and delivered_at:
                events.append(_event(delivered_at, "delivered", f"{city}, {cc}", "Delivered"))
            elif final in {"delivery_failed", "returned_to_sender"}:
                last = min(ofd + timedelta(hours=4), now - timedelta(hours=2))
                events.append(_event(last, "delivery_failed", f"{city}, {cc}",
                                     "Delivery attempt failed: recipient not available"))
                if final == "returned_to_sender":
                    last = min(last + timedelta(days=7), now - timedelta(hours=1))
                    events.append(_event(last, "returned_to_sender", f"{city}, {cc}",
                                         "Not collected from pickup point: returning to sender"))
        elif final == "lost":
            events.append(_event(last + timedelta(days=15), "lost", f"{city}, {cc}",
                                 "Carrier reports the parcel as lost"))
    return {"carrier": m["carrier"], "tracking_number": _tracking(rng, m), "status": final, "item_skus": skus,
            "estimated_delivery": eta.isoformat(), "delivered_at": _iso(delivered_at) if delivered_at else None,
            "events": events}


def _event(at: datetime, status: str, location: str, description: str) -> dict[str, Any]:
    return {"at": _iso(at), "status": status, "location": location, "description": description}


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
