"""The real app with Slack on a fake Slack server, and staff tokens of each scope."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assistant.api.app import create_app
from assistant.runtime import Services
from tests.fakes.slack import FakeSlack, wire


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def app_services(chat_services: Services, slack: FakeSlack) -> Services:
    return wire(chat_services, slack)


@pytest.fixture
def client(app_services: Services) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services=app_services)),
                             base_url="http://test")


def bearer(services: Services, *scopes: str, name: str = "dpo") -> dict[str, str]:
    _, token = services.staff_tokens.create(name, list(scopes), "test")
    return {"Authorization": f"Bearer {token}"}


def drain(services: Services) -> None:
    while services.outbox.run_once():
        pass
