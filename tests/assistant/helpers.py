"""Helpers for chat tests: find demo orders by scenario, talk through the real HTTP API."""

from __future__ import annotations

from typing import Any

import httpx

from assistant.identity import issue_token
from assistant.runtime import Services
from connectors.demo import SCENARIOS
from connectors.models import Order


def scenario_order(services: Services, name: str, nth: int = 0) -> Order:
    index = [s.name for s in SCENARIOS].index(name) + nth * len(SCENARIOS)
    with services.engine.connect() as conn:
        from sqlalchemy import text

        oid = conn.execute(text("SELECT id FROM orders WHERE id LIKE :p"), {"p": f"%-{100234 + index}"}).scalar_one()
    order = services.store.get_order(oid)
    assert order is not None
    return order


def token_for(services: Services, order: Order) -> str:
    return issue_token(order.customer_id, services.settings.widget_secret)


class Shopper:
    """One widget: keeps the session id, sends messages, returns the JSON replies."""

    def __init__(self, client: httpx.AsyncClient, token: str | None = None, language: str | None = None) -> None:
        self.client, self.token, self.language = client, token, language
        self.session_id: str | None = None

    async def say(self, message: str, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"message": message, **extra}
        if self.session_id:
            body["session_id"] = self.session_id
        if self.token:
            body["customer_token"] = self.token
        if self.language:
            body["language"] = self.language
        r = await self.client.post("/v1/chat", json=body)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        self.session_id = data["session_id"]
        return data
