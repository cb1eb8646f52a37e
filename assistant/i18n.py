"""Localized reply texts (assistant/locales/<lang>.yaml) and Babel formatting of money, dates and lists."""

from __future__ import annotations

import string
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency

from assistant.nlu.lexicon import LANGUAGES

RTL = {"ar"}
BABEL_LOCALE = {"en": "en_US", "pt": "pt_BR", "es": "es_419", "zh": "zh_Hans_CN", "ar": "ar", "fr": "fr_FR",
                "de": "de_DE", "it": "it_IT", "nl": "nl_NL", "pl": "pl_PL", "tr": "tr_TR", "ru": "ru_RU",
                "ja": "ja_JP", "ko": "ko_KR", "id": "id_ID", "vi": "vi_VN", "th": "th_TH"}
FALLBACK = "en"


@cache
def messages(lang: str) -> dict[str, str]:
    path = resources.files("assistant.locales").joinpath(f"{lang}.yaml")
    if not path.is_file():
        return {}
    return {str(k): str(v) for k, v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def t(lang: str, key: str, **values: Any) -> str:
    """The text for key in lang (English if that language lacks it), with placeholders filled."""
    template = messages(lang).get(key) or messages(FALLBACK).get(key)
    if template is None:
        raise KeyError(f"no reply text {key!r}")
    return template.format(**values)


def has(lang: str, key: str) -> bool:
    return key in messages(lang) or key in messages(FALLBACK)


def locale_of(lang: str) -> str:
    return BABEL_LOCALE.get(lang, "en_US")


def money(amount: float, currency: str, lang: str) -> str:
    return str(format_currency(amount, currency, locale=locale_of(lang)))


def day(value: date | datetime, lang: str) -> str:
    d = value.date() if isinstance(value, datetime) else value
    return str(format_date(d, format="medium", locale=locale_of(lang)))


def join(items: list[str], lang: str) -> str:
    return str(format_list(items, locale=locale_of(lang))) if items else ""


def language_name(lang: str) -> str:
    return t(lang, "language_name") if lang in LANGUAGES else lang


# Codes the store, the policy or the tracker hands us, in the shopper's words. Each kind has its locale key prefix
# ("order_status.processing"); tests/assistant/test_shown_values.py enumerates the codes from the models and policies.
def order_status(lang: str, status: str) -> str:
    return _named(lang, "order_status", status)


def shipment_status(lang: str, status: str) -> str:
    return _named(lang, "ship", status)


def return_status(lang: str, status: str) -> str:
    """The status of a return or exchange (assistant.returns.service.STATUSES)."""
    return _named(lang, "rma_status", status)


def reason(lang: str, code: str) -> str:
    """A return reason code (assistant.nlu.lexicon_schema.ReasonCode)."""
    return _named(lang, "reason", code)


def payment_method(lang: str, method: str) -> str:
    """How an order was paid: "cod" is "cash on delivery", "paypal" is "PayPal". A gateway we have no name for
    (connectors.platforms.common.payment_method keeps its own) is shown as the platform reported it."""
    key = f"payment.{method}"
    return t(lang, key) if has(lang, key) else method


def refund_method(lang: str, method: str, payment: str) -> str:
    """Where a refund goes: store credit, a bank transfer, or back to the order's payment method."""
    if method in ("store_credit", "bank_transfer"):
        return t(lang, f"refund_method.{method}")
    return t(lang, "refund_method.original", payment=payment_method(lang, payment))


# What the Shopify and WooCommerce connectors write when the store named no carrier for a parcel.
UNNAMED_CARRIER = "other"


def carrier(lang: str, name: str) -> str:
    """A carrier's own name ("Correios"), or a word for "the carrier" when the store gave none."""
    return t(lang, "carrier.other") if name == UNNAMED_CARRIER else name


def _named(lang: str, prefix: str, code: str) -> str:
    key = f"{prefix}.{code}"
    # A code newer than this release (a platform's new status) is still shown, if only as the code itself.
    return t(lang, key) if has(lang, key) else code.replace("_", " ")
