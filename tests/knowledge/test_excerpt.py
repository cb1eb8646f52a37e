"""The choice between one sentence and the whole passage: pure on similarities, then with the real embedder."""

from __future__ import annotations

from knowledge.base import KnowledgeBase
from knowledge.excerpt import THRESHOLD, choose, specificity


def test_one_sentence_that_stands_out_and_beats_the_cards_question_is_quoted() -> None:
    assert choose([0.82, 0.90, 0.83, 0.81], question_sim=0.88) == (1,)


def test_a_question_close_to_the_cards_own_or_spread_over_sentences_gets_the_whole_passage() -> None:
    assert choose([0.82, 0.90, 0.83, 0.81], question_sim=0.97) is None  # nearly the card's question
    assert choose([0.86, 0.86, 0.85, 0.86], question_sim=0.89) is None  # no sentence stands out
    assert choose([0.95, 0.80], question_sim=0.80) is None  # two sentences: already short


def test_specificity_adds_the_lead_over_the_runner_up() -> None:
    assert specificity([0.9, 0.8, 0.7], question_sim=0.9, concentration=0.5) == 0.5 * (0.9 - 0.8)
    assert specificity([0.85, 0.85, 0.85], question_sim=0.85) == 0.0 > THRESHOLD


def test_the_real_embedder_quotes_the_oxxo_sentence_and_keeps_a_broad_question_whole(demo_kb: KnowledgeBase) -> None:
    cash = demo_kb.card("faq-cash-payments", "ja")
    assert cash is not None
    narrow = demo_kb.excerpt(cash, demo_kb.embed_query("OXXOで払えますか？"))
    assert not narrow.whole and "72時間" in narrow.text and "Pix" not in narrow.text
    methods = demo_kb.card("faq-payment-methods", "en")
    assert methods is not None
    broad = demo_kb.excerpt(methods, demo_kb.embed_query("What payment methods do you accept?"))
    assert broad.whole and broad.text == methods.text
