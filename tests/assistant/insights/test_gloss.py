"""English glosses of knowledge gaps asked only in other languages: translated by the configured language model
(an OpenAI-compatible fake on loopback), marked as a translation, absent offline or when the provider fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from assistant.insights.compute import compute
from assistant.insights.gloss import parse_translations
from assistant.insights.report import render_html
from assistant.runtime import Services
from tests.assistant.insights.test_insights import WEEK, session
from tests.conftest import NOW
from tests.fakes.llm import OpenAIStub

PICKUP = ("¿Puedo recoger el pedido en una tienda física?", "es")
GIFT = ("Do you sell gift cards?", "en")


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as s:
        yield s


def seeded(services: Services) -> Services:
    with services.engine.begin() as conn:
        session(conn, "g1", NOW - timedelta(days=3), PICKUP[1], None, messages=[
            ("shopper", PICKUP[0], "other", 0.3, {}), ("assistant", "?", None, None, {})])
        session(conn, "g2", NOW - timedelta(days=2), GIFT[1], None, messages=[
            ("shopper", GIFT[0], "other", 0.3, {}), ("assistant", "?", None, None, {})])
    return services


def with_model(services: Services, stub: OpenAIStub) -> Services:
    s = services.settings
    s.llm, s.llm_base_url, s.llm_api_key, s.llm_timeout = "openai:gpt-4o-mini", stub.url, "test-key", 5
    return services


def gap_for(report, text: str):  # type: ignore[no-untyped-def]
    return next(g for g in report.gaps if any(s.text == text for s in g.samples))


def test_a_gap_asked_only_in_spanish_gets_a_translated_gloss(chat_services: Services, stub: OpenAIStub) -> None:
    stub.script = [{"text": '```json\n["Can I pick up the order at a physical store?"]\n```'}]
    report = compute(with_model(seeded(chat_services), stub), WEEK)
    pickup, gift = gap_for(report, PICKUP[0]), gap_for(report, GIFT[0])
    assert pickup.gloss == "Can I pick up the order at a physical store?" and pickup.gloss_source == "translation"
    assert gift.gloss == GIFT[0] and gift.gloss_source == "shopper"  # a shopper's own English is not translated
    asked = json.loads(stub.requests[0]["messages"][-1]["content"])
    assert asked == [PICKUP[0]] and len(stub.requests) == 1  # one call, only what lacks English
    assert "machine translation" in render_html(report)
    compute(chat_services, WEEK)  # the dashboard reloads: remembered, not asked again
    assert len(stub.requests) == 1


@pytest.mark.parametrize("answer", [{"status": 500}, {"text": "Sure! Here you go: Can I pick it up?"},
                                    {"text": '["one", "two"]'}])
def test_a_failing_or_rambling_model_leaves_the_gloss_empty(chat_services: Services, stub: OpenAIStub,
                                                            answer: dict) -> None:
    stub.script = [answer]
    report = compute(with_model(seeded(chat_services), stub), WEEK)
    assert gap_for(report, PICKUP[0]).gloss is None and stub.requests
    assert "—" in render_html(report)


def test_offline_there_is_no_translation(chat_services: Services) -> None:
    report = compute(seeded(chat_services), WEEK)
    assert chat_services.glosser is None and gap_for(report, PICKUP[0]).gloss is None


def test_translations_are_parsed_strictly() -> None:
    assert parse_translations('["a", "b"]', 2) == ["a", "b"]
    assert parse_translations('["a"]', 2) == [] and parse_translations("not json [", 1) == []
    assert parse_translations('[1, 2]', 2) == []
