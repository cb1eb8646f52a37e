"""Reply texts: every language has every English key, with the same placeholders."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from assistant import i18n
from assistant.nlu.lexicon import LANGUAGES


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_locale_has_the_same_keys_and_placeholders(lang: str) -> None:
    english, other = i18n.messages("en"), i18n.messages(lang)
    assert sorted(set(english) - set(other)) == [], f"{lang}.yaml lacks these keys"
    assert sorted(set(other) - set(english)) == [], f"{lang}.yaml has keys English does not"
    wrong = {key: (i18n.placeholders(english[key]), i18n.placeholders(other[key])) for key in english
             if i18n.placeholders(english[key]) != i18n.placeholders(other[key])}
    assert wrong == {}, f"{lang}.yaml placeholders differ from English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_rejected_return_is_told_in_the_shoppers_language(lang: str) -> None:
    text = i18n.messages(lang)["return_rejected"]  # its own text, not the English fallback
    assert "**{rma}**" in text
    assert lang == "en" or text != i18n.messages("en")["return_rejected"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reply_text_is_a_non_empty_string(lang: str) -> None:
    # messages() turns every value into a string: a key left empty in YAML would say "None" to the shopper.
    raw = yaml.safe_load(resources.files("assistant.locales").joinpath(f"{lang}.yaml").read_text(encoding="utf-8"))
    wrong = sorted(key for key, value in raw.items() if not isinstance(value, str) or not value.strip())
    assert wrong == [], f"{lang}.yaml has keys without a text"
