"""Named staff tokens: hashed at rest, scoped, revocable; the legacy PORTSIDE_STAFF_TOKEN is an admin token."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import select

from assistant.api.app import create_app
from assistant.runtime import Services
from assistant.staff.tokens import TokenError
from assistant.storage import schema as t
from tests.conftest import STAFF_TOKEN

pytestmark = pytest.mark.both_databases

# Each staff route and the one scope it needs (admin holds them all).
ROUTES = [
    ("GET", "/v1/handoffs", None, "read"),
    ("GET", "/v1/orders/BR-100234", None, "read"),
    ("POST", "/v1/handoffs/hf_missing/claim", {}, "act"),
    ("POST", "/v1/handoffs/hf_missing/reply", {"text": "hi"}, "act"),
    ("POST", "/v1/handoffs/hf_missing/resolve", {}, "act"),
    ("POST", "/v1/returns/RMA-missing/approve", {}, "approve"),
    ("POST", "/v1/returns/RMA-missing/reject", {}, "approve"),
    ("GET", "/v1/privacy/requests", None, "privacy"),
    ("POST", "/v1/privacy/export", {"email": "nobody@example.com"}, "privacy"),
    ("GET", "/v1/audit", None, "admin"),
    ("POST", "/v1/admin/reload", None, "admin"),
]
SCOPES = ["read", "act", "approve", "privacy", "admin"]


@pytest.fixture
def client(demo_services: Services) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services=demo_services)),
                             base_url="http://test")


@pytest.mark.parametrize("scope", SCOPES)
async def test_each_route_needs_its_scope(demo_services: Services, client: httpx.AsyncClient, scope: str) -> None:
    _, token = demo_services.staff_tokens.create(f"only-{scope}", [scope], "test")
    for method, path, body, needs in ROUTES:
        r = await client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
        if scope == needs or scope == "admin":
            assert r.status_code not in (401, 403), (scope, path, r.text)
        else:
            assert r.status_code == 403, (scope, path, r.text)
            assert r.json()["error"]["code"] == "forbidden" and needs in r.json()["error"]["message"]


async def test_tokens_are_hashed_revocable_and_named_in_the_audit(demo_services: Services,
                                                                 client: httpx.AsyncClient) -> None:
    row, token = demo_services.staff_tokens.create("ana", ["read", "act"], "test")
    with demo_services.engine.connect() as conn:
        stored = conn.execute(select(t.staff_tokens)).mappings().one()
    assert token not in str(dict(stored)) and stored["secret_hash"] == hashlib.sha256(token.encode()).hexdigest()
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/v1/handoffs", headers=auth)).status_code == 200
    assert demo_services.staff_tokens.list()[0]["last_used_at"] is not None
    demo_services.staff_tokens.revoke("ana")
    r = await client.get("/v1/handoffs", headers=auth)
    assert r.status_code == 401
    with pytest.raises(TokenError):
        demo_services.staff_tokens.revoke("ana")  # nothing live by that name any more
    with pytest.raises(TokenError):
        demo_services.staff_tokens.create("x", ["superuser"], "test")


async def test_the_legacy_single_token_is_an_admin_token(client: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    assert (await client.get("/v1/audit", headers=auth)).status_code == 200
    assert (await client.get("/v1/privacy/requests", headers=auth)).status_code == 200
    for header in ("Bearer wrong", "Bearer pst_" + "a" * 43, "Basic " + STAFF_TOKEN):
        assert (await client.get("/v1/audit", headers={"Authorization": header})).status_code == 401
