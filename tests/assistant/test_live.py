"""The WebSocket channel in-process (Starlette's TestClient): frames, streaming, dedupe, pushed staff replies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from assistant.api.app import create_app
from assistant.runtime import Services
from tests.conftest import STAFF_TOKEN

pytestmark = pytest.mark.both_databases


def until(ws: Any, kind: str, limit: int = 400) -> tuple[dict, list[dict]]:
    seen = []
    for _ in range(limit):
        frame = json.loads(ws.receive_text())
        seen.append(frame)
        if frame["type"] == kind:
            return frame, seen
    raise AssertionError(f"no {kind} frame in {seen[-5:]}")


def test_ws_streams_dedupes_and_pushes_staff_replies(chat_services: Services) -> None:
    app = create_app(services=chat_services)
    with TestClient(app) as client, client.websocket_connect("/v1/chat/ws") as ws:
        ws.send_text("{not json")
        assert json.loads(ws.receive_text())["code"] == "invalid_request"
        ws.send_text(json.dumps({"type": "dance"}))
        assert json.loads(ws.receive_text())["code"] == "invalid_request"
        ws.send_text(json.dumps({"type": "message", "message": "", "client_id": "c0"}))
        assert json.loads(ws.receive_text())["type"] in {"typing", "error"}
        ws.send_text(json.dumps({"type": "message", "message": "Quiero hablar con una persona", "client_id": "c1"}))
        reply, frames = until(ws, "reply")
        chunks = "".join(f["text"] for f in frames if f["type"] == "chunk")
        assert chunks == reply["reply"] and reply["handoff"] and any(f["type"] == "session" for f in frames)
        session_id = reply["session_id"]
        # A resend after a dropped connection is answered from the stored reply, not processed again.
        ws.send_text(json.dumps({"type": "message", "message": "Quiero hablar con una persona", "client_id": "c1"}))
        again, _ = until(ws, "reply")
        assert again["reply"] == reply["reply"]
        assert len(chat_services.conversations.transcript(session_id)) == 2
        # A staff reply from the staff API is pushed to the open socket.
        hid = reply["handoff"]["id"]
        r = client.post(f"/v1/handoffs/{hid}/reply", json={"staff": "ana", "text": "Hola, soy Ana"},
                        headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
        assert r.status_code == 200
        event, _ = until(ws, "event")
        while event["event"]["type"] != "staff_message":
            event, _ = until(ws, "event")
        assert event["event"]["data"]["text"] == "Hola, soy Ana"


def test_ws_unknown_session_is_reported(chat_services: Services) -> None:
    app = create_app(services=chat_services)
    with TestClient(app) as client, client.websocket_connect("/v1/chat/ws?session_id=ses_nope") as ws:
        assert json.loads(ws.receive_text())["code"] == "not_found"
