"""Sentences in every script the KB holds: what a concise answer is cut from."""

from __future__ import annotations

from knowledge.sentences import split


def test_latin_cyrillic_and_arabic_sentences_end_at_punctuation_and_a_space() -> None:
    assert split("Pay within 3 days. It clears in 1-2 business days! Done?") == [
        "Pay within 3 days.", "It clears in 1-2 business days!", "Done?"]
    assert split("Оплатите в течение 3 дней. Потом заказ отменяется.") == [
        "Оплатите в течение 3 дней.", "Потом заказ отменяется."]
    assert split("ادفع خلال 3 أيام. هل لديك سؤال؟ نعم") == ["ادفع خلال 3 أيام.", "هل لديك سؤال؟", "نعم"]


def test_decimals_abbreviations_and_quotes_do_not_end_a_sentence() -> None:
    assert split('Costs USD 1.50 e.g. for T.C. Kimlik No holders. Orders stay "pending." Then paid.') == [
        "Costs USD 1.50 e.g. for T.C. Kimlik No holders.", 'Orders stay "pending."', "Then paid."]


def test_chinese_and_japanese_sentences_end_without_a_space() -> None:
    assert split("大多数商品可在签收后 30 天内退货。电子产品的退货期限为 15 天。") == [
        "大多数商品可在签收后 30 天内退货。", "电子产品的退货期限为 15 天。"]
    assert split("お支払いください。期限を過ぎるとキャンセルされます！") == [
        "お支払いください。", "期限を過ぎるとキャンセルされます！"]


def test_thai_breaks_at_spaces_between_thai_words_but_keeps_short_list_items_together() -> None:
    text = ("สินค้าส่วนใหญ่สามารถคืนได้ภายใน 30 วันหลังได้รับสินค้า สินค้าอิเล็กทรอนิกส์มีระยะเวลาคืนสินค้า 15 วัน "
            "ประเทศ สเปน เยอรมนี ฝรั่งเศส")
    parts = split(text)
    assert parts[0] == "สินค้าส่วนใหญ่สามารถคืนได้ภายใน 30 วันหลังได้รับสินค้า"
    assert parts[1].startswith("สินค้าอิเล็กทรอนิกส์มีระยะเวลาคืนสินค้า 15 วัน") and parts[1].endswith("ฝรั่งเศส")


def test_lines_and_list_marks() -> None:
    assert split("# Title\n- first item\n- second item\n\n| a | b |") == [
        "Title", "first item", "second item", "a | b |"]
