"""Unauthenticated bad input is a clean 4xx, never a 500 or a dropped socket: non-ASCII label signatures and
customer tokens, non-numeric Last-Event-ID, bodies over the cap, huge WebSocket frames; typing frames are
coalesced; label links expire; secrets stay out of access logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.live import MAX_FRAME_CHARS
from assistant.api.log_redaction import RedactSecrets
from assistant.clock import FixedClock
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper, scenario_order, token_for
from tests.conftest import NOW


async def test_non_ascii_label_signature_is_a_404(chat_client: httpx.AsyncClient) -> None:
    r = await chat_client.get("/v1/returns/RMA-X/label.pdf", params={"sig": "é" * 32, "exp": "1"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await chat_client.get("/v1/returns/RMA-X/label.pdf", params={"sig": "a", "exp": "soon"})
    assert r.status_code == 422


async def test_label_links_expire(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    order = scenario_order(chat_services, "delivered_day_31")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say(f"I want to return order {order.id}, it arrived broken")
    body = await shopper.say("yes")
    url = next(a for a in body["actions"] if a["type"] == "return_draft")["label_url"]
    assert "exp=" in url and (await chat_client.get(url)).status_code == 200
    tampered = url.replace("exp=", "exp=9")
    assert (await chat_client.get(tampered)).status_code == 404  # the expiry is signed too
    days = chat_services.policy.returns.label_link_days
    chat_services.settings.__dict__["clock"] = FixedClock(NOW + timedelta(days=days, minutes=1))
    assert (await chat_client.get(url)).status_code == 404


@pytest.mark.parametrize("token", ["é" * 10 + "." + "a" * 64, "abc." + "é" * 64, "Y3VzXzAwMQ." + "ｆ" * 64])
async def test_non_ascii_customer_token_is_a_401(chat_client: httpx.AsyncClient, token: str) -> None:
    r = await chat_client.post("/v1/chat", json={"message": "hi", "customer_token": token})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"


def test_non_ascii_customer_token_on_the_websocket_is_an_error_frame(chat_services: Services) -> None:
    with TestClient(create_app(services=chat_services)) as tc, tc.websocket_connect("/v1/chat/ws") as ws:
        ws.send_json({"type": "message", "message": "hi", "customer_token": "é." + "ü" * 64})
        frames = [ws.receive_json() for _ in range(2)]
        assert frames[-1]["type"] == "error" and frames[-1]["code"] == "invalid_token"
        ws.send_text("x" * (MAX_FRAME_CHARS + 1))
        assert ws.receive_json()["code"] == "too_large"
        ws.send_json({"type": "message", "message": "hello"})  # the socket is still usable
        kinds = [ws.receive_json()["type"] for _ in range(3)]
        assert "session" in kinds


def test_typing_frames_are_coalesced(chat_services: Services) -> None:
    with TestClient(create_app(services=chat_services)) as tc, tc.websocket_connect("/v1/chat/ws") as ws:
        ws.send_json({"type": "message", "message": "hello"})
        session_id = next(f for f in (ws.receive_json() for _ in range(6)) if f["type"] == "session")["session_id"]
        for _ in range(50):
            ws.send_json({"type": "typing"})
        ws.send_json({"type": "message", "message": "thanks"})  # frames are handled in order: typing is done
        while ws.receive_json()["type"] != "reply":
            pass
    with chat_services.engine.connect() as conn:
        rows = conn.execute(t.events.select().where(t.events.c.session_id == session_id)
                            .where(t.events.c.kind == "typing")).all()
    assert len(rows) == 1


async def test_non_numeric_last_event_id_is_a_400(chat_client: httpx.AsyncClient) -> None:
    session = (await Shopper(chat_client).say("hi"))["session_id"]
    for bad in (b"abc", "²".encode(), b"-1", b"1" * 40):
        r = await chat_client.get(f"/v1/sessions/{session}/events", headers={"Last-Event-ID": bad})
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", bad


async def test_bodies_over_the_cap_are_refused_before_parsing(chat_services: Services,
                                                              chat_client: httpx.AsyncClient) -> None:
    cap = chat_services.settings.max_body_bytes
    big = '{"message": "' + "a" * (cap + 10) + '"}'
    r = await chat_client.post("/v1/chat", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"

    async def chunked():  # no Content-Length: the cap holds while the body streams in
        for _ in range(cap // 1000 + 2):
            yield b"a" * 1000

    r = await chat_client.post("/v1/chat", content=chunked(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = await chat_client.post("/v1/chat", content="{}", headers={"Content-Length": "x"})
    assert r.status_code == 400
    ok = await chat_client.post("/v1/chat", json={"message": "hi"})
    assert ok.status_code == 200


def test_access_log_lines_hide_session_ids_and_signatures() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/v1/sessions/ses_AbC123-_x/events?after=3&sig=deadbeef", "1.1",
                                200), None)
    RedactSecrets().filter(record)
    line = record.getMessage()
    assert "ses_AbC123" not in line and "deadbeef" not in line and "after=3" in line


def test_trusted_proxies_are_read_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import Settings

    monkeypatch.setenv("PORTSIDE_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    assert Settings(_env_file=None).trusted_proxies == ["10.0.0.1", "10.0.0.2"]  # type: ignore[call-arg]
    monkeypatch.setenv("PORTSIDE_TRUSTED_PROXIES", "")
    assert Settings(_env_file=None).trusted_proxies == []  # type: ignore[call-arg]
