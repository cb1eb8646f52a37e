"""The policy's `sources` name cards that exist in the demo KB, so a decision cites the card that states it."""

from __future__ import annotations

import re

from assistant.policy.config import load_policy
from knowledge.demo import DEMO_KB_PATH


def test_every_source_is_a_demo_card_in_every_language() -> None:
    sources = load_policy().sources
    assert {"outside_window", "final_sale", "outside_defect_window", "customs_hold"} <= set(sources)
    langs = [p.name for p in (DEMO_KB_PATH / "faq").iterdir() if p.is_dir()]
    assert len(langs) == 17
    for card in sources.values():
        for lang in langs:
            text = (DEMO_KB_PATH / "faq" / lang / f"{card}.md").read_text(encoding="utf-8")
            assert re.search(rf"^card: {card}$", text, re.M), (card, lang)
