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


# Order statuses in words, reusing the localized shipment texts (no new strings to translate).
_ORDER_STATUS_AS = {"shipped": "ship.in_transit", "delivered": "ship.delivered"}


def order_status(lang: str, status: str) -> str:
    key = _ORDER_STATUS_AS.get(status)
    return t(lang, key) if key else status.replace("_", " ")
