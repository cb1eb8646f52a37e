"""Every change by staff or the system is in the audit log once, with its actor and channel; the log refuses
UPDATE and DELETE in the database itself."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from assistant.api.app import create_app
from assistant.audit import Actor
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for

pytestmark = pytest.mark.both_databases


@pytest.fixture
def client(chat_services: Services) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services=chat_services)),
                             base_url="http://test")


def bearer(services: Services, name: str, *scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.staff_tokens.create(name, list(scopes), 'test')[1]}"}


async def return_awaiting_approval(services: Services, client: httpx.AsyncClient, nth: int = 0) -> tuple[str, str]:
    order = scenario_order(services, "high_value", nth)
    shopper = Shopper(client, token_for(services, order))
    await shopper.say(f"The drone from order {order.id} arrived broken, I want to return it")
    body = await shopper.say("yes")
    return body["handoff"]["id"], next(a for a in body["actions"] if a["type"] == "return_draft")["rma_id"]


async def test_each_staff_action_is_audited_once_with_its_actor(chat_services: Services,
                                                              client: httpx.AsyncClient) -> None:
    handoff, rma = await return_awaiting_approval(chat_services, client)
    agent = bearer(chat_services, "ana", "read", "act")
    lead = bearer(chat_services, "lead", "approve")
    admin = bearer(chat_services, "root", "admin")
    assert (await client.post(f"/v1/handoffs/{handoff}/claim", json={"staff": "Ana L."}, headers=agent)).is_success
    assert (await client.post(f"/v1/handoffs/{handoff}/claim", json={}, headers=agent)).status_code == 409
    assert (await client.post(f"/v1/handoffs/{handoff}/reply", json={"text": "Looking"}, headers=agent)).is_success
    assert (await client.post(f"/v1/returns/{rma}/approve", json={}, headers=lead)).is_success
    assert (await client.post(f"/v1/returns/{rma}/reject", json={}, headers=lead)).status_code == 409
    assert (await client.post(f"/v1/handoffs/{handoff}/resolve", json={}, headers=agent)).is_success
    assert (await client.post(f"/v1/handoffs/{handoff}/resolve", json={}, headers=agent)).is_success  # no-op
    assert (await client.post("/v1/admin/reload", headers=admin)).is_success

    entries = (await client.get("/v1/audit", headers=admin)).json()["entries"]
    seen = Counter((e["action"], e["actor"], e["channel"], e["target"]) for e in entries)
    assert seen == Counter({
        ("handoff.claim", "ana", "api", handoff): 1, ("handoff.reply", "ana", "api", handoff): 1,
        ("return.approve", "lead", "api", rma): 1, ("handoff.resolve", "ana", "api", handoff): 1,
        ("policy.reload", "root", "api", "built-in"): 1, ("kb.reload", "root", "api", None): 1,
    })
    claim = next(e for e in entries if e["action"] == "handoff.claim")
    assert claim["detail"] == {"as": "Ana L."}  # shown to colleagues as given; recorded as the token's name
    assert chat_services.handoffs.get(handoff)["claimed_by"] == "Ana L."  # type: ignore[index]
    only_lead = (await client.get("/v1/audit", params={"actor": "lead"}, headers=admin)).json()["entries"]
    assert [e["action"] for e in only_lead] == ["return.approve"]
    later = (await client.get("/v1/audit", params={"since": "2100-01-01T00:00:00Z"}, headers=admin)).json()
    assert later["entries"] == []
    assert (await client.get("/v1/audit", params={"since": "2026-01-01T00:00:00"}, headers=admin)).status_code == 422


async def test_a_broken_policy_is_refused_on_reload_and_the_running_one_kept(chat_services: Services,
                                                                           client: httpx.AsyncClient,
                                                                           tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "policy.yaml"
    bad.write_text("returns: [not, a, mapping]\n")
    running = chat_services.policy
    chat_services.settings.policy_file = bad
    r = await client.post("/v1/admin/reload", headers=bearer(chat_services, "root", "admin"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_policy"
    assert chat_services.policy is running
    assert chat_services.audit.entries(action="policy.reload") == []


def test_the_audit_log_is_append_only(services: Services) -> None:
    services.audit.record(Actor("ana", "api"), "handoff.claim", "hf_1")
    for statement in (update(t.audit_log).values(actor="mallory"), delete(t.audit_log)):
        with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
            conn.execute(statement)
    assert [e["actor"] for e in services.audit.entries()] == ["ana"]
