from __future__ import annotations

import httpx
import pytest

from assistant.api.app import create_app
from assistant.runtime import Services
from tests.conftest import STAFF_TOKEN

pytestmark = pytest.mark.both_databases


@pytest.fixture
def client(demo_services: Services) -> httpx.AsyncClient:
    app = create_app(services=demo_services)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["store"]["orders"] == 60


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic " + STAFF_TOKEN, STAFF_TOKEN, "Bearer "])
async def test_orders_need_the_staff_token(client: httpx.AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    r = await client.get("/v1/orders/BR-100234", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert "BR-100234" not in r.text


async def test_order_with_token(client: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    r = await client.get("/v1/orders/BR-100234", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "BR-100234" and body["customer_id"] == "cus_001" and body["items"]
    missing = await client.get("/v1/orders/ZZ-999999", headers=auth)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_empty_staff_token_disables_staff_endpoints(demo_services: Services) -> None:
    demo_services.settings.staff_token = ""
    app = create_app(services=demo_services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/v1/orders/BR-100234", headers={"Authorization": "Bearer "})
    assert r.status_code == 401
