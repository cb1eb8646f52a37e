"""What several servers on one PostgreSQL (and one Redis) share: a session's turns run one at a time across
workers, a pushed event wakes a subscriber on another worker through NOTIFY or Redis pub/sub well before the safety
poll would, and rate limits count across workers. Each "worker" here is its own Services with its own engine and
pool, as a separate process would have."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from assistant.api.errors import ApiError
from assistant.api.ratelimit import RateLimiter
from assistant.chat import ChatRequest, ChatService
from assistant.runtime import Services
from assistant.settings import Settings
from assistant.storage.events import SAFETY_POLL_SECONDS, woken
from tests.assistant.helpers import scenario_order, token_for

on_postgres = pytest.mark.parametrize("database", ["postgres"], indirect=True)


@pytest.fixture
def other_worker(settings: Settings, demo_kb, intent_classifier,  # type: ignore[no-untyped-def]
                 reason_matcher) -> Iterator[Services]:
    other = Services(settings.model_copy())
    other.__dict__["kb"], other.__dict__["intents"] = demo_kb, intent_classifier
    other.__dict__["reasons"] = reason_matcher
    yield other
    other.close()


@on_postgres
def test_turns_of_one_session_run_one_at_a_time_across_workers(chat_services: Services,
                                                               other_worker: Services) -> None:
    order = scenario_order(chat_services, "delivered_day_31")
    token = token_for(chat_services, order)
    first, second = ChatService(chat_services), ChatService(other_worker)
    summary = first.handle(ChatRequest(f"I want to return order {order.id}, it arrived broken",
                                       customer_token=token))
    assert {"type": "confirm", "intent": "return_request"} in summary.reply.actions
    barrier = threading.Barrier(2)
    results = []

    def yes(worker: ChatService) -> None:
        barrier.wait()
        results.append(worker.handle(ChatRequest("yes", session_id=summary.session_id, customer_token=token)))

    threads = [threading.Thread(target=yes, args=(w,)) for w in (first, second)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    drafts = [a for r in results for a in r.reply.actions if a["type"] == "return_draft"]
    # The second turn saw the first one's state (nothing pending any more), not the same proposal again.
    assert len(drafts) == 1 and drafts[0]["created"] is True
    roles = [m.role for m in chat_services.conversations.transcript(summary.session_id, limit=20)]
    assert roles == ["shopper", "assistant"] * 3


async def _woken_across_workers(here: Services, there: Services) -> float:
    sid = here.conversations.create_session().id
    async with here.events.subscription(sid) as flag:
        await asyncio.sleep(0.3)  # the listener is connected
        start = time.monotonic()
        there.events.publish(sid, "staff_message", {"text": "from worker 2"})
        assert await woken(flag, 1.0), "not woken within 1 s"
        return time.monotonic() - start


@on_postgres
async def test_postgres_notify_wakes_a_subscriber_on_another_worker(services: Services, settings: Settings) -> None:
    other = Services(settings.model_copy())
    try:
        assert services.events.notifier is not None and services.events.notifier.name == "postgres"
        assert services.events.poll_seconds == SAFETY_POLL_SECONDS > 1.0  # only NOTIFY can be this fast
        elapsed = await _woken_across_workers(services, other)
        assert elapsed < 1.0
    finally:
        other.close()


@on_postgres
async def test_redis_pubsub_wakes_a_subscriber_on_another_worker(settings: Settings, redis_url: str) -> None:
    configured = settings.model_copy(update={"redis_url": redis_url})
    here, there = Services(configured), Services(configured.model_copy())
    try:
        assert here.events.notifier is not None and here.events.notifier.name == "redis"
        elapsed = await _woken_across_workers(here, there)
        assert elapsed < 1.0
    finally:
        here.close()
        there.close()


def test_rate_limits_hold_across_workers_through_redis(redis_url: str) -> None:
    workers = [RateLimiter("3/minute", "1000/minute", redis_url) for _ in range(3)]
    key = f"ses_{time.monotonic_ns()}"
    for worker in workers:
        worker.check("127.0.0.1", key)
    with pytest.raises(ApiError) as refused:
        workers[0].check("127.0.0.1", key)
    assert refused.value.status == 429 and "Retry-After" in (refused.value.headers or {})
