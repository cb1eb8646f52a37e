from __future__ import annotations

import pytest

from assistant.nlu.language import decide_language, requested_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [("¿Dónde está mi pedido? Lo compré hace dos semanas", "es"), ("Onde está o meu pedido?", "pt"),
     ("Wo ist meine Bestellung?", "de"), ("Où est ma commande ?", "fr"), ("Dov'è il mio ordine?", "it"),
     ("Waar is mijn bestelling?", "nl"), ("Gdzie jest moja paczka?", "pl"), ("Siparişim nerede?", "tr"),
     ("Где мой заказ?", "ru"), ("أين طلبي؟", "ar"), ("我的包裹在哪里", "zh"), ("注文はどこですか", "ja"),
     ("주문한 상품이 어디 있나요", "ko"), ("Pesanan saya di mana?", "id"), ("Đơn hàng của tôi ở đâu", "vi"),
     ("พัสดุของฉันอยู่ที่ไหน", "th"), ("Where is my order?", "en")],
)
def test_detects_each_language(text: str, lang: str) -> None:
    assert decide_language(text, None).language == lang


@pytest.mark.parametrize("text", ["ok", "BR-100234", "sí", "ana@example.com", "👍", "#W2611340", "01310-100"])
def test_short_or_ambiguous_messages_keep_the_session_language(text: str) -> None:
    decision = decide_language(text, "pt")
    assert decision.language == "pt" and not decision.switched


@pytest.mark.parametrize(
    ("text", "lang"),
    [("in English please", "en"), ("em português, por favor", "pt"), ("en español por favor", "es"),
     ("auf Deutsch bitte", "de")],
)
def test_explicit_requests_switch(text: str, lang: str) -> None:
    start = "en" if lang != "en" else "es"
    decision = decide_language(text, start)
    assert decision.language == lang and decision.switched and decision.source == "request"
    assert requested_language(text) == lang


@pytest.mark.parametrize(("text", "lang"),
                         [("再见", "zh"), ("谢谢", "zh"), ("订单100234在哪", "zh"), ("obrigado", "pt")])
def test_a_first_short_message_in_chinese_is_chinese_not_the_default(text: str, lang: str) -> None:
    """A Chinese character says about as much as a word: two are enough to open a session in Chinese."""
    assert decide_language(text, None).language == lang


def test_a_full_sentence_in_another_language_switches_and_forced_wins() -> None:
    assert decide_language("Paket saya belum sampai", "en").language == "id"
    assert decide_language("Where is my order?", "es", forced="ja").language == "ja"


def test_threads_arriving_before_the_model_is_loaded_share_one_load() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from assistant.nlu import language

    language._load_identifier.cache_clear()
    with ThreadPoolExecutor(6) as pool:
        models = list(pool.map(lambda _: language._identifier(), range(6)))
    assert len({id(m) for m in models}) == 1
    assert language._load_identifier.cache_info().misses == 1
