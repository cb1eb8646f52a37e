"""PORTSIDE_SLACK_APPROVERS: only listed users or members of listed user groups approve returns, decide privacy
requests and run /portside commands; anyone else gets an ephemeral refusal and nothing changes."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from assistant.runtime import Services
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.fakes.slack import FakeSlack, wire
from tests.slack.test_slack_app import signed

pytestmark = pytest.mark.both_databases


@pytest.fixture
def slack() -> Any:
    with FakeSlack() as fake:
        fake.groups["S0LEADS"] = ["U_LEAD"]
        yield fake


@pytest.fixture
def app_services(chat_services: Services, slack: FakeSlack) -> Services:
    wire(chat_services, slack).settings.slack_approvers = ["U_BOSS", "S0LEADS"]
    return chat_services


@pytest.fixture
def client(app_services: Services) -> httpx.AsyncClient:
    from assistant.api.app import create_app

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services=app_services)),
                             base_url="http://test")


async def click(client: httpx.AsyncClient, slack: FakeSlack, user: str, action_id: str, value: str) -> None:
    import json

    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T1"}, "api_app_id": "A1",
               "token": "x", "trigger_id": "t", "container": {"type": "message"}, "channel": {"id": "C123"},
               "response_url": slack.url + "response_url",
               "actions": [{"action_id": action_id, "value": value, "type": "button", "block_id": "b",
                            "action_ts": str(time.time())}]}
    body = urlencode({"payload": json.dumps(payload)})
    r = await client.post("/slack/events", content=body,
                          headers={**signed(body), "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200


async def slash(client: httpx.AsyncClient, user: str, text: str) -> str:
    body = urlencode({"command": "/portside", "text": text, "user_id": user, "channel_id": "C123", "team_id": "T1",
                      "token": "x", "trigger_id": "t", "response_url": "http://127.0.0.1:9/r"})
    r = await client.post("/slack/events", content=body,
                          headers={**signed(body), "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    return str(r.json()["text"])


async def test_only_approvers_approve_returns(app_services: Services, client: httpx.AsyncClient,
                                             slack: FakeSlack) -> None:
    order = scenario_order(app_services, "high_value")
    shopper = Shopper(client, token_for(app_services, order))
    await shopper.say(f"The drone from order {order.id} arrived broken, I want to return it")
    body = await shopper.say("yes")
    handoff, rma = body["handoff"]["id"], next(a for a in body["actions"] if a["type"] == "return_draft")["rma_id"]

    await click(client, slack, "U_INTERN", "approve_return", handoff)
    refusals = [c for c in slack.called("response_url") if "Only approvers" in (c.get("text") or "")]
    assert len(refusals) == 1 and refusals[0]["response_type"] == "ephemeral"
    assert app_services.returns.get(rma)["status"] == "awaiting_approval"  # type: ignore[index]
    refused = app_services.audit.entries(action="slack.refused")
    assert [(e["actor"], e["detail"]["attempted"]) for e in refused] == [("slack:U_INTERN", "approve_return")]

    # Claiming is not an approval: anyone in the channel may.
    await click(client, slack, "U_INTERN", "claim", handoff)
    assert app_services.handoffs.get(handoff)["state"] == "claimed"  # type: ignore[index]

    await click(client, slack, "U_LEAD", "approve_return", handoff)  # a member of the approvers' user group
    assert app_services.returns.get(rma)["status"] == "approved"  # type: ignore[index]
    approved = app_services.audit.entries(action="return.approve")
    assert [(e["actor"], e["channel"]) for e in approved] == [("slack:U_LEAD", "slack")]


async def test_only_approvers_run_ops_and_privacy_commands(app_services: Services, client: httpx.AsyncClient) -> None:
    order = scenario_order(app_services, "in_transit")
    assert "Only approvers" in await slash(client, "U_INTERN", f"order {order.id}")
    assert order.id in await slash(client, "U_BOSS", f"order {order.id}")

    shopper = Shopper(client, token_for(app_services, order))
    body = await shopper.say("Please delete all my personal data")
    request = next(a for a in body["actions"] if a["type"] == "privacy_request")["request_id"]
    assert "Only approvers" in await slash(client, "U_INTERN", f"privacy fulfil {request}")
    assert app_services.privacy.get(request)["state"] == "open"  # type: ignore[index]
    assert request in await slash(client, "U_LEAD", "privacy")
    answer = await slash(client, "U_LEAD", f"privacy fulfil {request}")
    assert "erased" in answer and app_services.privacy.get(request)["state"] == "fulfilled"  # type: ignore[index]
    assert "already" in await slash(client, "U_BOSS", f"privacy refuse {request} too late")
    assert app_services.conversations.get_session(shopper.session_id or "") is None
