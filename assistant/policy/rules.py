"""Pure policy decisions: return and exchange eligibility, refund amounts, cancellation, address changes.

No I/O and no clock of their own: everything comes in as arguments, so each rule is a table-driven test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from assistant.policy.config import Hub, Policy
from connectors.models import Order, Product


@dataclass(frozen=True)
class ItemDecision:
    sku: str
    quantity: int
    eligible: bool
    reason_code: str  # eligible | not_delivered | outside_window | final_sale | outside_defect_window
    refund: float
    return_required: bool
    window_days: int
    deadline: date | None


@dataclass(frozen=True)
class ReturnDecision:
    eligible: bool
    reason_code: str
    refund_amount: float
    currency: str
    fee: float
    return_required: bool
    free_label: bool
    hub_country: str | None
    hub: Hub | None
    refund_method: str  # original | store_credit
    needs_approval: bool
    items: list[ItemDecision] = field(default_factory=list)

    @property
    def failing(self) -> ItemDecision | None:
        return next((i for i in self.items if not i.eligible), None)


def days_since(then: datetime, now: datetime) -> int:
    """Whole calendar days in UTC: delivered on the 1st, the 31st is day 30 (still inside a 30-day window)."""
    return (now.astimezone(UTC).date() - then.astimezone(UTC).date()).days


def evaluate_return(policy: Policy, order: Order, lines: list[tuple[str, int]], products: dict[str, Product],
                    reason: str, now: datetime) -> ReturnDecision:
    """Eligibility and refund for returning `lines` (sku, quantity) of `order` for `reason`."""
    rp = policy.returns
    defect = reason in rp.defect_reasons
    country = order.shipping_address.country
    items: list[ItemDecision] = []
    for sku, qty in lines:
        item = next(i for i in order.items if i.sku == sku)
        product = products.get(sku)
        category = product.category if product else "general"
        final_sale = bool(product and product.final_sale)
        shipment = order.shipment_for(sku)
        delivered = shipment.delivered_at if shipment else None
        window = rp.defect_window_days if defect else rp.category_window_days.get(category, rp.window_days)
        low_value = policy.to_usd(item.unit_price, order.currency) <= rp.refund_without_return_max_usd
        refund = round(item.unit_price * qty, 2)
        if order.status not in rp.returnable_order_statuses or delivered is None:
            items.append(ItemDecision(sku, qty, False, "not_delivered", 0.0, True, window, None))
            continue
        deadline = (delivered + timedelta(days=window)).date()
        if days_since(delivered, now) > window:
            code = "outside_defect_window" if defect else "outside_window"
            items.append(ItemDecision(sku, qty, False, code, 0.0, True, window, deadline))
        elif final_sale and not defect:
            items.append(ItemDecision(sku, qty, False, "final_sale", 0.0, True, window, deadline))
        else:
            items.append(ItemDecision(sku, qty, True, "eligible", refund, not low_value, window, deadline))
    eligible = bool(items) and all(i.eligible for i in items)
    return_required = any(i.return_required for i in items)
    hub = rp.hubs.get(country)
    fee = 0.0
    if eligible and return_required and not defect and hub is None:
        fee = round(rp.return_fee_usd.for_country(country) / policy.fx_to_usd[order.currency], 2)
    gross = round(sum(i.refund for i in items), 2)
    refund_amount = max(0.0, round(gross - fee, 2)) if eligible else 0.0
    method = "store_credit" if order.payment_method in rp.cash_payment_methods else "original"
    failing = next((i for i in items if not i.eligible), None)
    return ReturnDecision(
        eligible=eligible, reason_code=failing.reason_code if failing else ("eligible" if items else "no_items"),
        refund_amount=refund_amount, currency=order.currency, fee=fee if eligible else 0.0,
        return_required=return_required, free_label=eligible and return_required and (defect or hub is not None),
        hub_country=country if hub and return_required else None, hub=hub if return_required else None,
        refund_method=method,
        needs_approval=eligible and policy.to_usd(refund_amount, order.currency) > rp.auto_approve_max_usd,
        items=items,
    )


@dataclass(frozen=True)
class ExchangeDecision:
    eligible: bool
    reason_code: str  # eligible | not_delivered | outside_window | final_sale | not_same_product | exchange_used
    fee: float
    currency: str


def evaluate_exchange(policy: Policy, order: Order, sku: str, target: Product | None, products: dict[str, Product],
                      reason: str, exchanges_done: int, now: datetime) -> ExchangeDecision:
    """Same product in another variant, delivered order, once per order, within the normal return window.

    A defect reason makes the exchange free (and allows final-sale items) but does not extend the window.
    """
    rp = policy.returns
    source = products.get(sku)
    defect = reason in rp.defect_reasons
    if exchanges_done >= policy.exchanges.max_per_order:
        return ExchangeDecision(False, "exchange_used", 0.0, order.currency)
    if (target is None or source is None or not source.product_id or target.product_id != source.product_id
            or target.sku == sku):
        return ExchangeDecision(False, "not_same_product", 0.0, order.currency)
    shipment = order.shipment_for(sku)
    delivered = shipment.delivered_at if shipment else None
    if order.status not in policy.exchanges.returnable_order_statuses or delivered is None:
        return ExchangeDecision(False, "not_delivered", 0.0, order.currency)
    if days_since(delivered, now) > rp.category_window_days.get(source.category, rp.window_days):
        return ExchangeDecision(False, "outside_window", 0.0, order.currency)
    if source.final_sale and not defect:
        return ExchangeDecision(False, "final_sale", 0.0, order.currency)
    country = order.shipping_address.country
    fee = 0.0
    if not defect and country not in rp.hubs:
        fee = round(rp.return_fee_usd.for_country(country) / policy.fx_to_usd[order.currency], 2)
    return ExchangeDecision(True, "eligible", fee, order.currency)


def can_cancel(policy: Policy, order: Order) -> bool:
    return order.status in policy.cancellation.allowed_statuses


def can_change_address(policy: Policy, order: Order) -> bool:
    return order.status in policy.address_change.allowed_statuses and not any(
        s.status != "label_created" for s in order.shipments)
