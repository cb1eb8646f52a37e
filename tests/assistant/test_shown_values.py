"""Every code the assistant can put into a shopper's reply (order, shipment and return statuses, reasons, refund and
payment methods) has words in every language, enumerated from the models and policies that produce the codes,
and a reply in another language does not show the English code word ("…完了していないため（processing）")."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
import yaml

from assistant import i18n
from assistant.engine.handlers.orders import describe_order, describe_shipment
from assistant.engine.handlers.returns import summarize
from assistant.engine.responder import Responder
from assistant.nlu.lexicon import LANGUAGES
from assistant.nlu.lexicon_schema import REASON_CODES
from assistant.policy.config import NOTICE_KINDS, load_policy
from assistant.policy.rules import evaluate_return
from assistant.returns.service import STATUSES as RETURN_STATUSES
from connectors.models import ORDER_STATUSES, SHIPMENT_STATUSES, Address, Order, OrderItem, Shipment

POLICY = load_policy()
OTHERS = [lang for lang in LANGUAGES if lang != "en"]


def refund_methods() -> set[str]:
    """What evaluate_return decides for a card-paid and a cash-paid order, and the cash refund options."""
    now = datetime(2026, 5, 1, tzinfo=UTC)

    def decided(payment: str) -> str:
        order = Order(id="X-1", customer_id="c", status="delivered", placed_at=now - timedelta(days=9), currency="USD",
                      total=10, payment_method=payment, items=[OrderItem(sku="A", name="A", quantity=1, unit_price=10)],
                      shipping_address=Address(name="n", line1="l", city="c", country="US"),
                      shipments=[Shipment(carrier="c", tracking_number="T1234", status="delivered", item_skus=["A"],
                                          delivered_at=now - timedelta(days=2))])
        return evaluate_return(POLICY, order, [("A", 1)], {}, "damaged", now).refund_method

    return {decided("card"), decided(POLICY.returns.cash_payment_methods[0]), *POLICY.returns.cash_refund_options}


def payment_methods() -> set[str]:
    """The methods platform gateways map to, the demo markets' methods and the policy's cash methods."""
    rules = yaml.safe_load(resources.files("connectors.platforms").joinpath("payment_methods.yaml").read_text("utf-8"))
    markets = yaml.safe_load(resources.files("connectors.demo_data").joinpath("countries.yaml").read_text("utf-8"))
    demo = {p for market in markets.values() for p in market["payments"]}
    return {r["method"] for r in rules} | demo | set(POLICY.returns.cash_payment_methods)


# kind -> (the codes the code can render, how a reply renders one)
VALUES: dict[str, tuple[set[str], Callable[[str, str], str]]] = {
    "order_status": (set(ORDER_STATUSES), i18n.order_status),
    "shipment_status": (set(SHIPMENT_STATUSES), i18n.shipment_status),
    "return_status": (set(RETURN_STATUSES), i18n.return_status),
    "reason": (set(REASON_CODES), i18n.reason),
    "refund_method": (refund_methods(), lambda lang, code: i18n.refund_method(lang, code, "card")),
    "payment_method": (payment_methods(), i18n.payment_method),
    "carrier": ({i18n.UNNAMED_CARRIER}, i18n.carrier),
}
KEY_PREFIX = {"order_status": "order_status", "shipment_status": "ship", "return_status": "rma_status",
              "reason": "reason", "refund_method": "refund_method", "payment_method": "payment", "carrier": "carrier"}
# Words a language shares with the English code: Spanish and Portuguese pay back to the "método de pago original",
# and Indonesian and Vietnamese shoppers know cash on delivery as "COD".
SAME_WORD = {("es", "original"), ("pt", "original"), ("id", "cod"), ("vi", "cod")}


def english_word_in(text: str, code: str) -> bool:
    words = code.replace("_", " ")
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text, re.IGNORECASE) is not None


def is_name(kind: str, code: str) -> bool:
    """Brands are written the same in every language ("PayPal", "OXXO"); English writes them with a capital."""
    return kind == "payment_method" and i18n.t("en", f"payment.{code}")[:1].isupper()


def test_the_codes_come_from_the_models() -> None:
    assert {"processing", "return_in_progress"} <= VALUES["order_status"][0]
    assert {"original", "store_credit", "bank_transfer"} <= VALUES["refund_method"][0]
    assert {"card", "cod", "bank_transfer", "paypal"} <= VALUES["payment_method"][0]
    # The policy sorts every reason the lexicons can hear; each is one it can name back.
    assert set(POLICY.returns.defect_reasons) | set(POLICY.returns.other_reasons) == set(REASON_CODES)


@pytest.mark.parametrize("kind", sorted(VALUES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_value_has_its_own_words_in_every_language(kind: str, lang: str) -> None:
    codes, _ = VALUES[kind]
    own = i18n.messages(lang)
    missing = sorted(code for code in codes if f"{KEY_PREFIX[kind]}.{code}" not in own)
    assert missing == [], f"{lang}.yaml has no words for these {kind} codes"


@pytest.mark.parametrize("kind", sorted(VALUES))
@pytest.mark.parametrize("lang", OTHERS)
def test_no_english_code_word_in_another_language(kind: str, lang: str) -> None:
    codes, render = VALUES[kind]
    leaked = {code: render(lang, code) for code in codes if not is_name(kind, code) and (lang, code) not in SAME_WORD
              and english_word_in(render(lang, code), code)}
    assert leaked == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_notice_kind_can_be_told(lang: str) -> None:
    assert all(f"notice.{kind}" in i18n.messages(lang) for kind in NOTICE_KINDS)


def test_a_bank_transfer_refund_is_not_called_the_original_payment_method() -> None:
    for lang in LANGUAGES:
        assert i18n.refund_method(lang, "bank_transfer", "cod") != i18n.refund_method(lang, "original", "cod")
        assert i18n.t(lang, "payment.cod") in i18n.refund_method(lang, "original", "cod")


def test_a_gateway_without_words_keeps_its_own_name() -> None:
    assert i18n.payment_method("ja", "klarna") == "klarna"
    assert i18n.refund_method("ja", "original", "klarna") == i18n.t("ja", "refund_method.original", payment="klarna")


@pytest.mark.parametrize("lang", ["ja", "th"])
def test_a_processing_order_is_not_called_processing(lang: str) -> None:
    reply = i18n.t(lang, "need_delivered", order_id="BR-100238", status=i18n.order_status(lang, "processing"))
    assert "processing" not in reply and i18n.t(lang, "order_status.processing") in reply
    listed = i18n.t(lang, "order_option", order_id="BR-100238", date="", items="",
                    status=i18n.order_status(lang, "return_in_progress"))
    assert "return" not in listed


def an_order(status: str, payment: str, carrier: str = "Correios") -> Order:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    shipped = status in ("shipped", "delivered")
    return Order(id="BR-100238", customer_id="c", status=status, placed_at=now - timedelta(days=3), currency="BRL",
                 total=10, payment_method=payment,
                 items=[OrderItem(sku="A", name="Mochila", quantity=1, unit_price=10)],
                 shipping_address=Address(name="n", line1="l", city="c", country="BR"),
                 shipments=[Shipment(carrier=carrier, tracking_number="LB123456789BR", status="in_transit",
                                     item_skus=["A"])] if shipped else [])


@pytest.mark.parametrize("lang", ["ja", "th", "ar"])
def test_an_order_reply_names_the_payment_method_in_the_shoppers_language(lang: str) -> None:
    r = Responder(lang)
    describe_order(an_order("pending_payment", "cod"), None, r)  # type: ignore[arg-type]  # no customs: no tools
    assert "cod" not in r.render() and i18n.t(lang, "payment.cod") in r.render()


@pytest.mark.parametrize("lang", ["ja", "th", "ru"])
def test_a_parcel_without_a_named_carrier_is_not_called_other(lang: str) -> None:
    r = Responder(lang)
    describe_shipment(an_order("shipped", "card", carrier="other").shipments[0], r)
    assert "other" not in r.render() and i18n.t(lang, "carrier.other") in r.render()


@pytest.mark.parametrize("lang", ["ja", "zh", "ko"])
def test_a_return_summary_names_the_refund_method_in_the_shoppers_language(lang: str) -> None:
    order = an_order("delivered", "card")
    decision = evaluate_return(POLICY, order, [("A", 1)], {}, "damaged", datetime(2026, 5, 1, tzinfo=UTC))
    r = Responder(lang)
    summarize(order, ["A"], "damaged", decision, r)
    assert "card" not in r.render() and i18n.refund_method(lang, "original", "card") in r.render()
