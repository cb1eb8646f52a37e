from __future__ import annotations

from knowledge.bm25 import BM25Index
from knowledge.tokenize import tokens


def test_tokens_fold_accents_and_split_unspaced_scripts() -> None:
    assert tokens("Devolução em 30 DIAS") == ["devolucao", "em", "30", "dias"]
    assert tokens("退货期限") == ["退货", "货期", "期限"]
    assert "คืน" not in tokens("คืนสินค้า") and "คื" in tokens("คืนสินค้า")
    assert tokens("") == []


def test_rank_add_remove() -> None:
    index = BM25Index()
    index.add("a", "return window thirty days")
    index.add("b", "customs hold duties unpaid")
    index.add("c", "退货期限是30天")
    assert index.search("how many days to return")[0][0] == "a"
    assert index.search("退货")[0][0] == "c"
    assert index.search("customs", allow=lambda cid: cid != "b") == []
    index.remove("b")
    assert "b" not in index and len(index) == 2
    assert index.search("customs") == []
    index.add("a", "payment methods boleto")  # re-adding replaces
    assert index.search("return") == [] and index.search("boleto")[0][0] == "a"


def test_slots_are_reused_and_a_filter_reaches_past_the_first_candidates() -> None:
    index = BM25Index()
    for i in range(200):
        index.add(f"c{i:03d}", "refund parcel " + ("boleto " * (i % 7)))
    for i in range(0, 200, 2):
        index.remove(f"c{i:03d}")
    for i in range(0, 50, 2):
        index.add(f"n{i:03d}", "refund parcel boleto")
    assert len(index) == 125
    # Only the last-ranked chunks pass the filter: the search must look beyond its first 4 x k candidates.
    weakest = {f"c{i:03d}" for i in range(1, 200, 2) if i % 7 == 0}
    hits = index.search("boleto refund", k=3, allow=lambda cid: cid in weakest)
    assert [cid for cid, _ in hits] == sorted(weakest)[:3]
    scores = [score for _, score in index.search("boleto", k=200)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 25 + sum(1 for i in range(1, 200, 2) if i % 7)


def test_equal_scores_come_back_in_id_order() -> None:
    index = BM25Index()
    for cid in ("b", "c", "a", "d"):
        index.add(cid, "same words here")
    assert [cid for cid, _ in index.search("words", k=3)] == ["a", "b", "c"]


def test_coverage_is_the_share_of_the_query_a_chunk_holds_weighted_by_rarity() -> None:
    index = BM25Index()
    index.add("a", "customs hold documents")
    index.add("b", "the parcel is held at customs")
    index.add("c", "the return window")
    assert index.coverage("customs hold", "a") == 1.0
    assert index.coverage("customs hold", "c") == 0.0
    # "the" is in two chunks, "window" only in one: holding the rare word counts for more
    assert index.coverage("the window", "c") == 1.0
    assert index.coverage("window the", "b") < 0.5 < index.coverage("the window", "c")
    assert index.coverage("", "a") == 0.0 and index.coverage("customs", "gone") == 0.0
