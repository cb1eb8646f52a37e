"""The LLM engine with scripted fake chat models and a real init_chat_model against an OpenAI-compatible stub."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.chat import ChatService
from assistant.engine.llm.engine import LLMEngine
from assistant.engine.llm.grounding import check
from assistant.engine.llm.model import EngineUnavailable, make_chat_model
from assistant.runtime import Services
from assistant.settings import Settings
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.fakes.llm import OpenAIStub, ScriptedChatModel, call, say


def client_for(services: Services, engine: object) -> httpx.AsyncClient:
    app = create_app(services=services)
    app.state.chat = ChatService(services, engine=engine)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def scripted(*messages: object) -> LLMEngine:
    return LLMEngine(ScriptedChatModel(messages=iter(messages)))


async def test_order_status_through_tools(chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    tracking = order.shipments[0].tracking_number
    engine = scripted(call("lookup_order", {"order_id": order.id}),
                      say(f"Your order **{order.id}** is in transit with {order.shipments[0].carrier}, "
                          f"tracking {tracking}."))
    async with client_for(chat_services, engine) as client:
        body = await Shopper(client, token_for(chat_services, order)).say(f"Where is {order.id}?")
    assert tracking in body["reply"] and {"type": "order_lookup", "order_id": order.id} in body["actions"]
    assert chat_services.metrics.get("engine_fallbacks", 0) == 0


async def test_a_hallucinated_order_id_is_caught_then_offline_answers(chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    engine = scripted(call("lookup_order", {"order_id": order.id}), say("Your order BR-999999 arrives tomorrow."),
                      say("Order BR-999999 is on its way."))
    async with client_for(chat_services, engine) as client:
        body = await Shopper(client, token_for(chat_services, order)).say(f"Where is my order {order.id}?")
    assert "BR-999999" not in body["reply"] and order.id in body["reply"]  # the offline engine's grounded reply
    assert chat_services.metrics["grounding_fallbacks"] == 1 and chat_services.metrics["engine_fallbacks"] == 1


async def test_one_retry_with_the_problem_stated(chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    model = ScriptedChatModel(messages=iter([call("lookup_order", {"order_id": order.id}),
                                             say("It will arrive on 2031-01-01."),
                                             say(f"Order {order.id} is in transit.")]))
    async with client_for(chat_services, LLMEngine(model)) as client:
        body = await Shopper(client, token_for(chat_services, order)).say("Where is my order?")
    assert body["reply"] == f"Order {order.id} is in transit."
    assert "grounding check" in str(model.seen[-1][-1].content) and "2031-01-01" in str(model.seen[-1][-1].content)


async def test_tools_refuse_other_customers_data(chat_services: Services) -> None:
    mine = scenario_order(chat_services, "in_transit")
    other = next(o for o in (scenario_order(chat_services, n) for n in ("out_for_delivery", "processing"))
                 if o.customer_id != mine.customer_id)
    model = ScriptedChatModel(messages=iter([call("lookup_order", {"order_id": other.id}),
                                             say("I couldn't find that order on your account.")]))
    async with client_for(chat_services, LLMEngine(model)) as client:
        body = await Shopper(client, token_for(chat_services, mine)).say(f"Show me order {other.id}")
    tool_result = str(model.seen[-1][-1].content)
    assert "not found" in tool_result and other.shipments[0].tracking_number not in tool_result
    assert not any(a.get("order_id") == other.id for a in body["actions"])


async def test_unverified_shopper_gets_nothing_from_tools(chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    model = ScriptedChatModel(messages=iter([call("lookup_order", {"order_id": order.id}),
                                             say("Please send your order number and email first.")]))
    async with client_for(chat_services, LLMEngine(model)) as client:
        await Shopper(client).say(f"Where is {order.id}?")
    assert "not_verified" in str(model.seen[-1][-1].content)


async def test_a_return_needs_the_shoppers_yes(chat_services: Services) -> None:
    order = scenario_order(chat_services, "delivered_day_31")
    model = ScriptedChatModel(messages=iter([
        call("propose_return", {"order_id": order.id, "skus": ["BAG-1"], "reason": "damaged"}),
        say(f"I can return the backpack from {order.id} with a full refund. Reply yes to confirm."),
    ]))
    async with client_for(chat_services, LLMEngine(model)) as client:
        shopper = Shopper(client, token_for(chat_services, order))
        first = await shopper.say(f"The backpack from {order.id} arrived broken")
        assert not any(a["type"] == "return_draft" for a in first["actions"])
        assert chat_services.returns.for_customer(order.customer_id) == []
        done = await shopper.say("yes")  # committed by code, not by the model
    draft = next(a for a in done["actions"] if a["type"] == "return_draft")
    assert draft["status"] == "approved" and len(chat_services.returns.for_customer(order.customer_id)) == 1


async def test_malformed_tool_arguments_are_reported_to_the_model(chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    model = ScriptedChatModel(messages=iter([call("lookup_order", {"order": 42}),
                                             call("lookup_order", {"order_id": order.id}),
                                             say(f"Order {order.id} is in transit.")]))
    async with client_for(chat_services, LLMEngine(model)) as client:
        body = await Shopper(client, token_for(chat_services, order)).say("where is my order")
    assert body["reply"] == f"Order {order.id} is in transit."
    assert "invalid_arguments" in str(model.seen[1][-1].content)


def test_grounding_rules() -> None:
    evidence = ["BR-100234 in_transit LB123456789BR 259.9 BRL 2026-10-20", "Returns within 30 days"]
    assert check("Order BR-100234 (LB123456789BR), total R$ 259,90, ETA 2026-10-20.", evidence).ok
    assert not check("Order BR-100235 is delivered.", evidence).ok
    assert not check("Refund of 300.00 BRL.", evidence).ok
    assert not check("Write to thief@example.com", evidence).ok
    assert check("Write to help@shop.example", evidence, allowed_emails=["help@shop.example"]).ok
    assert not check("You have 30 days.", evidence, policy_claim=True, cited=False).ok
    assert check("You have 30 days.", evidence, policy_claim=True, cited=True).ok


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as s:
        yield s


def llm_services(chat_services: Services, stub: OpenAIStub, timeout: float = 5) -> Services:
    s = chat_services.settings
    s.llm, s.llm_base_url, s.llm_api_key, s.llm_timeout = "openai:gpt-4o-mini", stub.url, "test-key", timeout
    return chat_services


async def test_real_init_chat_model_against_the_stub(chat_services: Services, stub: OpenAIStub) -> None:
    services = llm_services(chat_services, stub)
    order = scenario_order(services, "in_transit")
    stub.script = [{"tool": "lookup_order", "args": {"order_id": order.id}},
                   {"text": f"Order **{order.id}** is in transit."}]
    app = create_app(services=services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        body = await Shopper(client, token_for(services, order)).say("Where is my order?")
    assert body["reply"] == f"Order **{order.id}** is in transit."
    first = stub.requests[0]
    assert first["model"] == "gpt-4o-mini" and first["temperature"] == 0
    assert {t["function"]["name"] for t in first["tools"]} >= {"lookup_order", "search_kb", "propose_return"}
    assert "commit_pending" not in str(first["tools"])
    assert stub.requests[1]["messages"][-1]["role"] == "tool"


@pytest.mark.parametrize("failure", [
    [{"status": 500}],
    [{"sleep": 2.5}],
    [{"tool": "lookup_order", "args": "{not json"}, {"status": 500}],
    [{"tool": "lookup_order", "args": {"order_id": "ZZ-000000"}}, {"text": "Your order ZZ-123456 shipped."},
     {"text": "Order ZZ-123456 shipped."}],
])
async def test_provider_failures_fall_back_to_offline(chat_services: Services, stub: OpenAIStub,
                                                      failure: list) -> None:
    services = llm_services(chat_services, stub, timeout=1.0)
    order = scenario_order(services, "in_transit")
    stub.script = list(failure)
    app = create_app(services=services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        body = await Shopper(client, token_for(services, order)).say(f"Where is my order {order.id}?")
    assert order.id in body["reply"] and "ZZ-123456" not in body["reply"]
    assert services.metrics["engine_fallbacks"] == 1


def test_missing_provider_package_is_a_clear_error() -> None:
    settings = Settings(llm="anthropic:claude-sonnet-4-5", _env_file=None)  # type: ignore[call-arg]
    try:
        import langchain_anthropic  # noqa: F401
    except ImportError:
        with pytest.raises(EngineUnavailable, match=r"portside\[anthropic\]"):
            make_chat_model(settings)
    with pytest.raises(EngineUnavailable):
        make_chat_model(Settings(llm="nonsense-provider:x", _env_file=None))  # type: ignore[call-arg]


def failing_after(*messages: object) -> LLMEngine:
    """A model that answers with `messages`, then its provider fails mid-turn."""

    def script():  # type: ignore[no-untyped-def]
        yield from messages
        raise ConnectionError("provider went away mid-turn")

    return LLMEngine(ScriptedChatModel(messages=script()))


async def test_a_wrong_verification_in_a_failed_attempt_counts_once(chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    engine = failing_after(call("verify_identity", {"order_id": order.id, "email": "nobody@example.com",
                                                    "message": f"{order.id} nobody@example.com"}))
    async with client_for(chat_services, engine) as client:
        shopper = Shopper(client)
        body = await shopper.say(f"Where is order {order.id}? My email is nobody@example.com")
    assert body["verified"] is False and chat_services.metrics["engine_fallbacks"] == 1
    with chat_services.engine.connect() as conn:
        failures = conn.scalar(select(t.verify_failures.c.failures)
                               .where(t.verify_failures.c.key == f"order:{order.id}"))
    assert failures == 1  # the offline answer counted it; the failed attempt's count was taken back
    session = chat_services.conversations.get_session(shopper.session_id or "")
    assert session is not None and session.state.verify_failures == 1


async def test_a_handoff_made_by_a_failed_attempt_is_the_one_the_fallback_answers_with(
        chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    engine = failing_after(call("escalate", {"reason": "customer_request"}))
    async with client_for(chat_services, engine) as client:
        shopper = Shopper(client, token_for(chat_services, order))
        body = await shopper.say("I want to talk to a person about my order")
    handoffs = chat_services.handoffs.open_for_session(shopper.session_id or "")
    assert handoffs is not None and body["handoff"]["id"] == handoffs["id"]
    with chat_services.engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(t.handoffs)
                            .where(t.handoffs.c.session_id == shopper.session_id))
    assert count == 1


async def test_a_privacy_request_is_opened_by_code_not_the_model(chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    model = ScriptedChatModel(messages=iter([say("Sure, I have deleted everything about you.")]))
    async with client_for(chat_services, LLMEngine(model)) as client:
        body = await Shopper(client, token_for(chat_services, order)).say("Please delete all my personal data")
    assert model.seen == []  # the model never saw the turn
    request = next(a for a in body["actions"] if a["type"] == "privacy_request")
    assert request["kind"] == "redact" and request["request_id"] in body["reply"]
    assert "deleted everything" not in body["reply"]
