from __future__ import annotations

import pytest

from assistant.nlu.slots import extract, match_items


@pytest.mark.parametrize(
    ("text", "refs"),
    [("where is BR-100234?", ["BR-100234"]), ("pedido #W2611340", ["#W2611340"]), ("order 100234", ["100234"]),
     ("BR-100234 and MX-100235", ["BR-100234", "MX-100235"]), ("call 555-1234", []), ("BR-1002345", [])],
)
def test_order_references(text: str, refs: list[str]) -> None:
    assert extract(text, "en").order_refs == refs


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
