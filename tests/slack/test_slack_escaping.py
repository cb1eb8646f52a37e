"""Shopper text reaches Slack inert: `<!channel>`, `<!here>`, `<@U…>` and disguised links are escaped in every
payload the fake Slack receives (handoff blocks, fallback text, thread relays), and a body that isn't a Slack
request is a 400, never a 500."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from assistant.runtime import Services
from tests.assistant.helpers import Shopper
from tests.fakes.slack import FakeSlack
from tests.slack.test_slack_app import app_services, client, signed, slack  # noqa: F401 - fixtures

pytestmark = pytest.mark.both_databases

HOSTILE = "<!channel> <!here> <@U0ADMIN> please <https://evil.example|Verify here> & call <tel:123>"
# Slack reads these only when they are raw: escaped as &lt;!channel&gt; they are plain text.
ACTIVE = re.compile(r"<!(?:channel|here|everyone)|<@U|<https?://|<tel:")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            return strings(json.loads(value)) if value[:1] in "[{" else [value]
        except ValueError:
            return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


async def test_shopper_text_is_escaped_in_every_slack_payload(app_services: Services,  # noqa: F811
                                                              client: httpx.AsyncClient,  # noqa: F811
                                                              slack: FakeSlack) -> None:  # noqa: F811
    shopper = Shopper(client)
    body = await shopper.say(f"I want to talk to a person {HOSTILE}")
    assert body["handoff"] is not None
    await shopper.say(f"still there? {HOSTILE}")
    for _ in range(3):
        app_services.outbox.run_once()
    sent = [(m, s) for m, args in slack.calls if m.startswith("chat.") for s in strings(args)]
    assert any("&lt;!channel&gt;" in s for _, s in sent)  # the words arrive, inert
    assert any(m == "chat.postMessage" and "&lt;https://evil.example|Verify here&gt;" in s for m, s in sent)
    active = [(m, s) for m, s in sent if ACTIVE.search(s)]
    assert not active, active[:3]


async def test_bodies_that_are_not_slack_requests_are_a_400(client: httpx.AsyncClient) -> None:  # noqa: F811
    for content_type, body in [("application/json", "{not json"), ("application/json", "[1, 2]"),
                               ("application/x-www-form-urlencoded", "payload=%7Bnot+json"),
                               ("application/json", b"\xff\xfe".decode("latin-1"))]:
        r = await client.post("/slack/events", content=body, headers={**signed(body), "Content-Type": content_type})
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", (body, r.text)
