"""The HTML report's SVG charts: nothing is drawn outside the picture."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from evals.report_html import LABEL_ANGLE, LABEL_FONT, heat_map, text_box, text_width

INTENTS = ["cancel_order", "change_address", "exchange_request", "greeting", "human_agent", "order_status", "other",
           "payment_issue", "policy_question", "refund_status", "return_request"]


def label_boxes(svg: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Where each label of the heat map is drawn, by the same text-width estimate the report uses."""
    out = []
    for node in svg.iter("{http://www.w3.org/2000/svg}text"):
        text, size = node.text or "", float(node.get("font-size", 0))
        transform = node.get("transform")
        if transform:
            m = re.fullmatch(r"translate\(([\d.]+),([\d.]+)\) rotate\((-?[\d.]+)\)", transform)
            assert m, transform
            box = text_box(float(m[1]), float(m[2]), text, size, float(m[3]))
        else:
            box = text_box(float(node.get("x", 0)), float(node.get("y", 0)), text, size)
        out.append((text, box))
    return out


@pytest.mark.parametrize("labels", [
    INTENTS,
    INTENTS + ["(error)"],
    ["a", "an_intent_whose_name_is_much_longer_than_any_real_one"],
    ["other"],
])
def test_every_heat_map_label_is_inside_the_picture(labels: list[str]) -> None:
    confusion = {label: {label: 3, labels[-1]: 1} for label in labels}
    svg = ET.fromstring(heat_map(confusion).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    width, height = float(svg.get("width", 0)), float(svg.get("height", 0))
    assert svg.get("viewBox") == f"0 0 {svg.get('width')} {svg.get('height')}"
    boxes = label_boxes(svg)
    assert {text for text, _ in boxes} >= set(labels)
    for text, (left, top, right, bottom) in boxes:
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, (text, (left, top, right, bottom),
                                                                                 (width, height))


def test_text_box_of_rotated_text() -> None:
    assert text_width("abc", 10) == pytest.approx(3 * 10 * 0.65)
    assert text_width("注文", 10) == pytest.approx(20)  # wide characters take a full em
    left, top, right, bottom = text_box(100, 100, "order_status", LABEL_FONT, LABEL_ANGLE)
    w = text_width("order_status", LABEL_FONT)
    assert right == pytest.approx(100 + w / 2 + 0.3 * LABEL_FONT * 0.866, abs=0.01)  # -60°: half the width to the right
    assert top < 100 - w * 0.86 and bottom > 100 and left < 100
