"""Live channel: WebSocket chat with streamed replies and server-pushed events; SSE for pushed events.

State lives in the database (messages, events), never only in this process, so any number of server
processes can serve the same session behind a load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from assistant.api.chat import ChatIn, to_out
from assistant.api.errors import ApiError
from assistant.chat import ChatError, ChatRequest
from assistant.storage.events import woken

log = logging.getLogger("portside.live")
router = APIRouter(tags=["chat"])
WAIT_SECONDS = 2.0
RECHECK_TICKS = 15  # quiet waits between safety reads of the events table (30 s)
SSE_MAX_SECONDS = 55  # proxies drop idle streams; the browser's EventSource reconnects by itself
MAX_FRAME_CHARS = 16_000  # a 4,000-character message and a token fit many times over
TYPING_EVERY_SECONDS = 3.0  # typing frames are coalesced: at most one stored typing event per connection per period


def event_id(raw: str | None) -> int | None:
    """An event id from a query parameter or a Last-Event-ID header: ASCII digits only ("²".isdigit() is True,
    yet int("²") fails), else None."""
    if raw is None or not re.fullmatch(r"[0-9]{1,18}", raw):
        return None
    return int(raw)


def chunks(text: str) -> list[str]:
    """Word-sized pieces, whitespace kept, so the widget can render the reply as it arrives."""
    return re.findall(r"\S+\s*|\s+", text)


class Connection:
    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.app = ws.app
        self.services = ws.app.state.services
        self.session_id: str | None = ws.query_params.get("session_id") or None
        self.after = event_id(ws.query_params.get("after")) or 0
        self._send_lock = asyncio.Lock()
        self._typing_at = float("-inf")

    async def send(self, payload: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.ws.send_text(json.dumps(payload, ensure_ascii=False, default=str))

    async def pump_events(self) -> None:
        """Push events written by any process (staff replies, handoff changes) as they appear.

        The database is read when the bus says an event may be waiting (and every RECHECK_TICKS quiet waits, in
        case a wake-up was lost), not on every tick: 100 idle connections would otherwise be 50 queries a second.
        """
        events = self.services.events
        quiet = 0
        while True:
            session_id = self.session_id
            if session_id is None:
                await asyncio.sleep(0.2)
                continue
            async with events.subscription(session_id) as flag:
                if quiet == 0:
                    for event in await run_in_threadpool(events.since, session_id, self.after):
                        self.after = event.id
                        await self.send({"type": "event", "event": event.as_json()})
                got = await woken(flag, WAIT_SECONDS)
            quiet = 0 if got or quiet + 1 >= RECHECK_TICKS else quiet + 1

    async def handle(self, raw: str) -> None:
        if len(raw) > MAX_FRAME_CHARS:
            await self.send({"type": "error", "code": "too_large",
                             "message": f"frames are limited to {MAX_FRAME_CHARS} characters"})
            return
        try:
            data = json.loads(raw)
            kind = data.get("type", "message") if isinstance(data, dict) else None
        except json.JSONDecodeError:
            await self.send({"type": "error", "code": "invalid_request", "message": "frames must be JSON objects"})
            return
        if kind == "typing":
            now = asyncio.get_running_loop().time()
            if self.session_id and now - self._typing_at >= TYPING_EVERY_SECONDS:
                self._typing_at = now  # a burst of keystrokes is one stored event, not a row each
                await run_in_threadpool(self.services.events.publish, self.session_id, "typing", {"from": "shopper"})
            return
        if kind != "message":
            await self.send({"type": "error", "code": "invalid_request", "message": f"unknown frame type {kind!r}"})
            return
        client_id = str(data.get("client_id") or "")[:64] or None
        try:
            body = ChatIn.model_validate({**{k: v for k, v in data.items() if k not in {"type", "client_id"}},
                                          "session_id": data.get("session_id") or self.session_id,
                                          "client_id": client_id})
        except ValidationError as exc:
            await self.send({"type": "error", "code": "invalid_request", "client_id": client_id,
                             "message": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                  for e in exc.errors())})
            return
        await self.send({"type": "typing", "from": "assistant", "client_id": client_id})
        host = self.ws.client.host if self.ws.client else None
        try:
            self.app.state.rate_limiter.check(host, body.session_id)
            req = ChatRequest(message=body.message, session_id=body.session_id, language=body.language,
                              customer_token=body.customer_token, client=host, client_id=client_id,
                              choice=body.choice)
            result = await run_in_threadpool(self.app.state.chat.handle, req)
        except ChatError as exc:
            await self.send({"type": "error", "code": exc.code, "message": exc.message, "client_id": client_id})
            return
        except ApiError as exc:
            await self.send({"type": "error", "code": exc.code, "message": exc.message, "client_id": client_id})
            return
        if self.session_id != result.session_id:
            self.session_id = result.session_id
            self.after = await run_in_threadpool(self.services.events.last_id, result.session_id)
            await self.send({"type": "session", "session_id": result.session_id})
        out = to_out(result).model_dump(mode="json", exclude_unset=True)
        for piece in chunks(out["reply"]):
            await self.send({"type": "chunk", "client_id": client_id, "text": piece})
        await self.send({"type": "reply", "client_id": client_id, "held_by_human": result.held_by_human, **out})


@router.websocket("/v1/chat/ws")
async def chat_ws(ws: WebSocket) -> None:
    await ws.accept()
    conn = Connection(ws)
    if conn.session_id and conn.services.conversations.get_session(conn.session_id) is None:
        await conn.send({"type": "error", "code": "not_found", "message": "session not found"})
        conn.session_id = None
    pump = asyncio.create_task(conn.pump_events())
    try:
        while True:
            await conn.handle(await ws.receive_text())
    except WebSocketDisconnect:
        pass
    except Exception:  # never drop the socket without a close frame
        log.exception("websocket error")
        with contextlib.suppress(Exception):
            await ws.close(code=1011)
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


@router.get("/v1/sessions/{session_id}/events")
async def session_events(request: Request, session_id: str, after: int = Query(default=0, ge=0)) -> StreamingResponse:
    """Server-sent events for a session (fallback when WebSockets are blocked)."""
    services = request.app.state.services
    if services.conversations.get_session(session_id) is None:
        raise ApiError(404, "not_found", "session not found")
    header = request.headers.get("last-event-id")
    last = event_id(header) if header else after
    if last is None:
        raise ApiError(400, "bad_request", "Last-Event-ID must be an event id (digits)")

    async def stream() -> AsyncIterator[str]:
        nonlocal last
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SSE_MAX_SECONDS
        yield "retry: 1000\n\n"
        while loop.time() < deadline and not await request.is_disconnected():
            async with services.events.subscription(session_id) as flag:
                for event in await run_in_threadpool(services.events.since, session_id, last):
                    last = event.id
                    yield f"id: {event.id}\nevent: {event.kind}\ndata: {json.dumps(event.as_json(), default=str)}\n\n"
                await woken(flag, WAIT_SECONDS)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
