from __future__ import annotations

import pytest

from assistant.nlu.lexicon import LANGUAGES, lexicon
from assistant.nlu.slots import extract, match_items, postal_answer


@pytest.mark.parametrize(
    ("text", "refs"),
    [("where is BR-100234?", ["BR-100234"]), ("pedido #W2611340", ["#W2611340"]), ("order 100234", ["100234"]),
     ("BR-100234 and MX-100235", ["BR-100234", "MX-100235"]), ("call 555-1234", []), ("BR-1002345", [])],
)
def test_order_references(text: str, refs: list[str]) -> None:
    assert extract(text, "en").order_refs == refs


@pytest.mark.parametrize(
    ("text", "refs"),
    [("订单100234在哪里", ["100234"]), ("我的订单BR-100234还没到", ["BR-100234"]), ("注文番号は100234です", ["100234"]),
     ("주문번호 100234번", ["100234"]), ("คำสั่งซื้อ100234", ["100234"]), ("x100234", []), ("pedido100234", [])],
)
def test_ids_may_touch_text_in_scripts_written_without_spaces(text: str, refs: list[str]) -> None:
    assert extract(text, None).order_refs == refs


def test_emails_and_tracking_numbers_inside_chinese_text() -> None:
    s = extract("邮箱ana@example.com谢谢，单号LX123456789CN请查", "zh")
    assert s.emails == ["ana@example.com"] and s.tracking_numbers == ["LX123456789CN"]


def test_emails_tracking_postal_codes() -> None:
    s = extract("mail ANA@Example.com, tracking LB123456789BR, CEP 01310-100", "pt")
    assert s.emails == ["ana@example.com"]
    assert s.tracking_numbers == ["LB123456789BR"]
    assert "01310-100" in s.postal_codes


@pytest.mark.parametrize(
    ("text", "lang", "reason"),
    [("the screen arrived cracked", "en", "damaged"), ("no funciona, no enciende", "es", "defective"),
     ("veio o produto errado", "pt", "wrong_item"), ("zu klein, passt nicht", "de", "wrong_size"),
     ("j'ai changé d'avis", "fr", "changed_mind"), ("barangnya rusak", "id", "damaged"),
     ("收到的时候屏幕碎了", "zh", "damaged"), ("开不了机", "zh", "defective")],
)
def test_return_reasons_in_many_languages(text: str, lang: str, reason: str) -> None:
    assert extract(text, lang).reasons[:1] == [reason]


@pytest.mark.parametrize(
    ("text", "lang", "affirm", "deny"),
    [("sí", "es", True, False), ("yes please", "en", True, False), ("não", "pt", False, True),
     ("不是", "zh", False, True), ("はい", "ja", True, False), ("no, gracias", "es", False, True),
     ("Yes, and also tell me everything about shipping times to every country in the world please", "en",
      False, False)],
)
def test_yes_and_no(text: str, lang: str, affirm: bool, deny: bool) -> None:
    s = extract(text, lang)
    assert (s.affirm, s.deny) == (affirm, deny)


def test_items_by_number_ordinal_and_name() -> None:
    assert extract("item 2", "en").item_numbers == [2]
    assert extract("the second one", "en").item_numbers == [2]
    assert extract("2", "en").item_numbers == [2]
    assert match_items("the earbuds stopped working", ["Phone case", "Wireless earbuds"]) == [2]


@pytest.mark.parametrize(
    ("text", "lang", "refs"),
    [("where is br-100234?", "en", ["BR-100234"]), ("pedido #w2611340", "es", ["#W2611340"]),
     ("Mx-100235 and BR-100234", "en", ["MX-100235", "BR-100234"])],
)
def test_lower_case_order_references_are_normalised(text: str, lang: str, refs: list[str]) -> None:
    s = extract(text, lang)
    assert s.order_refs == refs and not s.postal_codes


@pytest.mark.parametrize(
    ("text", "lang", "code"),
    [("postal code 110001", "en", "110001"), ("my zip is 100234", "en", "100234"),
     ("CEP 01310-100", "pt", "01310-100"), ("meu CEP é 01310100", "pt", "01310100"),
     ("código postal 28013", "es", "28013"), ("mi código postal es 050001", "es", "050001"),
     ("邮编 200000", "zh", "200000"), ("我的邮编是200000", "zh", "200000"),
     ("郵便番号は150-0001です", "ja", "150-0001"), ("〒150-0001", "ja", "150-0001"),
     ("мой индекс 101000", "ru", "101000"), ("kode pos saya 100000", "id", "100000"),
     ("postcode 1012 AB", "nl", "1012 AB"), ("mã bưu chính 700000", "vi", "700000")],
)
def test_a_number_marked_as_postal_code_is_not_an_order(text: str, lang: str, code: str) -> None:
    s = extract(text, lang)
    assert s.order_refs == []
    assert s.postal_codes[:1] == s.marked_postal_codes[:1] == [code]


def test_postal_cues_do_not_swallow_order_numbers() -> None:
    assert extract("postal code for order 100234", "en").order_refs == ["100234"]
    assert extract("plz check 100234", "en").order_refs == ["100234"]  # "plz" is please, not Postleitzahl
    s = extract("order 100234, zip code 10001", "en")
    assert s.order_refs == ["100234"] and s.postal_codes == ["10001"]
    assert extract("I paid 1500 pesos", "es").marked_postal_codes == []  # a number, but nothing says postal code


def test_a_bare_number_answering_the_postal_code_question_is_a_postal_code() -> None:
    asked = postal_answer(extract("110001", "en"), "CO-100236")
    assert asked.order_refs == [] and asked.postal_codes == ["110001"]
    repeated = postal_answer(extract("100236", "en"), "CO-100236")  # the order number again, not a postal code
    assert repeated.order_refs == ["100236"] and repeated.postal_codes == []
    named = postal_answer(extract("BR-100234", "en"), "CO-100236")  # a full order number stays one
    assert named.order_refs == ["BR-100234"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("bye", "en"), ("thanks, bye", "en"), ("adiós", "es"), ("tchau", "pt"), ("au revoir", "fr"), ("tschüss", "de"),
     ("arrivederci", "it"), ("doei", "nl"), ("do widzenia", "pl"), ("görüşürüz", "tr"), ("до свидания", "ru"),
     ("مع السلامة", "ar"), ("再见", "zh"), ("さようなら", "ja"), ("안녕히 계세요", "ko"), ("sampai jumpa", "id"),
     ("tạm biệt", "vi"), ("ลาก่อน", "th"), ("再见", "en")],  # a farewell is known whatever language was detected
)
def test_farewells(text: str, lang: str) -> None:
    assert extract(text, lang).farewells


@pytest.mark.parametrize(("text", "lang"), [("hola", "es"), ("Chào shop", "vi"), ("ciao", "it"),
                                            ("สบายดีไหม", "th"), ("안녕하세요", "ko"), ("thanks!", "en")])
def test_greetings_and_thanks_are_not_farewells(text: str, lang: str) -> None:
    assert extract(text, lang).farewells == []


def test_every_language_has_farewells_and_postal_cues() -> None:
    for lang in LANGUAGES:
        assert lexicon(lang).get("goodbye") and lexicon(lang).get("postal_cues"), lang


@pytest.mark.parametrize(("platform", "text", "refs"), [
    ("shopify", "where is my order #1001?", ["#1001"]),
    ("shopify", "order # 1001 please", ["# 1001"]),
    ("shopify", "mi pedido 1001 no llegó", ["1001"]),
    ("shopify", "注文番号は#1001です", ["#1001"]),
    ("shopify", "order #EU1001-A", ["#EU1001-A"]),
    ("shopify", "and the demo one BR-100234", ["BR-100234"]),
    ("shopify", "x1001 and 1001abc are not orders", []),
    ("woocommerce", "cancel #4211", ["#4211"]),
    ("woocommerce", "cancel order 4211", ["4211"]),
    ("woocommerce", "2 items", []),
])
def test_order_numbers_follow_the_active_store(platform: str, text: str, refs: list[str]) -> None:
    from assistant.nlu.slots import order_pattern
    from connectors.shopify.platform import ShopifyPlatform
    from connectors.woocommerce.platform import WooCommercePlatform

    shape = {"shopify": ShopifyPlatform, "woocommerce": WooCommercePlatform}[platform].order_pattern
    assert extract(text, "en", order_pattern(shape)).order_refs == refs


def test_a_configured_order_pattern_must_compile() -> None:
    from assistant.nlu.slots import order_pattern

    with pytest.raises(Exception, match="unterminated|missing"):
        order_pattern("#(\\d+")
