"""Helpers for chat tests: find demo orders by scenario, talk through the real HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
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


def serve(services: Services) -> Iterator[str]:
    """The real app on a free loopback port, for fakes that post webhooks over HTTP as the provider does."""
    import socket
    import threading
    import time

    import uvicorn

    from assistant.api.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(services=services), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
