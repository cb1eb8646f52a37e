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
