"""Public chat API: POST /v1/chat, GET /v1/sessions/{id}, POST /v1/sessions/{id}/csat."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from assistant.actions.records import ActionRecord
from assistant.api.deps import ServicesDep
from assistant.api.errors import ApiError
from assistant.chat import ChatError, ChatRequest, ChatResult
from assistant.dialogue.ask import Ask
from assistant.dialogue.choice import ChoiceIn

router = APIRouter(prefix="/v1", tags=["chat"])


class ChatIn(BaseModel):
    session_id: str | None = Field(default=None, max_length=64)
    message: str = Field(description="The shopper's message (at most 4,000 characters).")
    language: str | None = Field(default=None, description="Force the reply language (ISO 639-1).")
    customer_token: str | None = Field(default=None, max_length=512)
    client_id: str | None = Field(default=None, max_length=64, description="Idempotency key for this message.")
    choice: ChoiceIn | None = Field(default=None, description="A quick-reply button the shopper clicked (from the "
                                    "last reply's ask.choices); message carries its label for the transcript.")


class CitationOut(BaseModel):
    doc_id: str
    title: str
    url: str
    snippet: str


class ChatOut(BaseModel):
    session_id: str
    reply: str
    language: str
    intent: str
    confidence: float
    verified: bool
    citations: list[CitationOut]
    actions: list[ActionRecord]
    handoff: dict[str, Any] | None
    ask: Ask | None = Field(default=None, description="What the assistant waits for, with quick-reply choices.")


class CsatIn(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


def to_out(result: ChatResult) -> ChatOut:
    r = result.reply
    return ChatOut(session_id=result.session_id, reply=r.text, language=result.language, intent=r.intent,
                   confidence=r.confidence, verified=result.verified,
                   citations=[CitationOut(doc_id=c.doc_id, title=c.title, url=c.url, snippet=c.snippet)
                              for c in r.citations],
                   actions=r.actions, handoff=r.handoff, ask=r.ask)  # type: ignore[arg-type]  # validated


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def run_chat(request: Request, body: ChatIn) -> ChatResult:
    request.app.state.rate_limiter.check(client_ip(request), body.session_id)
    req = ChatRequest(message=body.message, session_id=body.session_id, language=body.language,
                      customer_token=body.customer_token, client=client_ip(request), client_id=body.client_id,
                      choice=body.choice)
    try:
        result: ChatResult = await run_in_threadpool(request.app.state.chat.handle, req)
    except ChatError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    if body.session_id is None:
        request.app.state.rate_limiter.count_new_session(result.session_id)
    return result


@router.post("/chat", response_model=ChatOut, response_model_exclude_unset=True)
async def chat(request: Request, body: ChatIn) -> ChatOut:
    result = await run_chat(request, body)
    return to_out(result)


@router.get("/sessions/{session_id}")
def get_session(session_id: str, services: ServicesDep) -> dict[str, Any]:
    session = services.conversations.get_session(session_id)
    if session is None:
        raise ApiError(404, "not_found", "session not found")
    return {
        "session_id": session.id, "language": session.language, "verified": session.state.verified,
        "status": session.status, "created_at": session.created_at.isoformat(), "csat": session.csat,
        "handoff_id": session.state.handoff_id,
        "messages": [m.as_json() for m in services.conversations.transcript(session.id)],
    }


@router.post("/sessions/{session_id}/csat")
def rate(session_id: str, body: CsatIn, services: ServicesDep) -> dict[str, Any]:
    if services.conversations.get_session(session_id) is None:
        raise ApiError(404, "not_found", "session not found")
    services.conversations.set_csat(session_id, body.score, body.comment)
    return {"session_id": session_id, "csat": body.score}
