"""One item, one return: units are reserved atomically at commit, whatever the session or channel; staff decisions
on one return race safely (one wins, the other gets 409 with the current state)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import func, select

from assistant.returns.service import Draft, ItemsAlreadyReturned
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.conftest import STAFF_TOKEN

pytestmark = pytest.mark.both_databases

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


def returns_count(services: Services) -> int:
    with services.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.returns)) or 0)


def draft(session: str, qty: int = 1, sku: str = "TEE-BLK-M", status: str = "approved") -> Draft:
    return Draft(kind="return", session_id=session, order_id="BR-1", customer_id="cus_1", country="BR",
                 items=[{"sku": sku, "quantity": qty}], reason="wrong_size", eligible=True, reason_code="eligible",
                 refund_amount=19.0 * qty, currency="USD", refund_method="original", return_required=True, fee=0.0,
                 hub=None, status=status, detail={})


def test_units_of_a_line_are_held_once_across_sessions(services: Services) -> None:
    ordered = {"TEE-BLK-M": 2}
    first, created = services.returns.create(draft("ses_a"), ordered)
    second, created2 = services.returns.create(draft("ses_b"), ordered)  # the second unit of a 2-unit line
    assert created and created2 and first["rma_id"] != second["rma_id"]
    assert services.returns.remaining("BR-1", ordered) == {"TEE-BLK-M": 0}
    with pytest.raises(ItemsAlreadyReturned) as taken:
        services.returns.create(draft("ses_c"), ordered)
    assert taken.value.holder["rma_id"] in {first["rma_id"], second["rma_id"]}
    again, created3 = services.returns.create(draft("ses_a"), ordered)  # the same session's retry: same RMA
    assert again["rma_id"] == first["rma_id"] and not created3


def test_a_rejected_return_releases_its_units(services: Services) -> None:
    ordered = {"TEE-BLK-M": 1}
    row, _ = services.returns.create(draft("ses_a", status="awaiting_approval"), ordered)
    services.returns.decide(row["rma_id"], False, "ana")
    assert services.returns.remaining("BR-1", ordered) == {"TEE-BLK-M": 1}
    fresh, created = services.returns.create(replace(draft("ses_b"), reason="defective"), ordered)
    assert created and fresh["rma_id"] != row["rma_id"]


def test_parallel_commits_of_the_same_unit_make_one_return(services: Services) -> None:
    ordered = {"TEE-BLK-M": 1}
    services.returns  # noqa: B018 - schema first, outside the race
    results: list[str] = []
    barrier = threading.Barrier(6)

    def commit(n: int) -> None:
        barrier.wait()
        try:
            row, created = services.returns.create(draft(f"ses_{n}"), ordered)
            results.append("created" if created else "existing")
        except ItemsAlreadyReturned:
            results.append("taken")

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count("created") == 1 and results.count("taken") == 5
    assert returns_count(services) == 1


async def test_two_chat_sessions_confirming_the_same_return_make_one_rma(chat_services: Services,
                                                                         chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_day_31")  # one backpack
    token = token_for(chat_services, order)
    first, second = Shopper(chat_client, token), Shopper(chat_client, token)
    for shopper in (first, second):  # both sessions get the summary before either says yes
        summary = await shopper.say(f"I want to return order {order.id}, it arrived broken")
        assert {"type": "confirm", "intent": "return_request"} in summary["actions"]
    done = await first.say("yes")
    taken = await second.say("yes")
    made = next(a for a in done["actions"] if a["type"] == "return_draft")
    again = next(a for a in taken["actions"] if a["type"] == "return_draft")
    assert made["created"] is True and again["created"] is False and again["rma_id"] == made["rma_id"]
    assert returns_count(chat_services) == 1
    third = await Shopper(chat_client, token).say(f"I want to return order {order.id}, it arrived broken")
    assert "already been requested" in third["reply"] and returns_count(chat_services) == 1


async def test_two_chat_sessions_confirming_at_once_make_one_rma(chat_services: Services,
                                                                chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_day_31")
    token = token_for(chat_services, order)
    shoppers = [Shopper(chat_client, token) for _ in range(3)]
    for shopper in shoppers:
        await shopper.say(f"I want to return order {order.id}, it arrived broken")
    replies = await asyncio.gather(*(s.say("yes") for s in shoppers))
    created = [a for r in replies for a in r["actions"] if a["type"] == "return_draft" and a.get("created")]
    assert len(created) == 1 and returns_count(chat_services) == 1


async def test_parallel_approve_and_reject_one_wins_the_other_gets_409(chat_services: Services,
                                                                       chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "high_value")  # above the auto-approve limit: waits for staff
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say(f"I want to return order {order.id}, it arrived broken")
    body = await shopper.say("yes")
    rma = next(a for a in body["actions"] if a["type"] == "return_draft")["rma_id"]
    approve, reject = await asyncio.gather(
        chat_client.post(f"/v1/returns/{rma}/approve", json={"staff": "ana"}, headers=STAFF),
        chat_client.post(f"/v1/returns/{rma}/reject", json={"staff": "bo"}, headers=STAFF))
    codes = sorted([approve.status_code, reject.status_code])
    assert codes == [200, 409], (approve.text, reject.text)
    loser = approve if approve.status_code == 409 else reject
    winner = reject if loser is approve else approve
    assert loser.json()["error"]["current"]["status"] == winner.json()["status"]
    transcript = (await chat_client.get(f"/v1/sessions/{shopper.session_id}")).json()["messages"]
    decided = [m for m in transcript if m["role"] == "assistant" and rma in m["text"] and m.get("author")]
    assert len(decided) == 1  # the shopper hears one decision, not both
