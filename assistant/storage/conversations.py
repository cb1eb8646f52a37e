"""Sessions and transcripts. Every inbound message is written before anything acts on it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from assistant.clock import Clock
from assistant.guard import redact
from assistant.state import DialogueState
from assistant.storage import schema as t

CSAT_PROMPT = "csat_prompt"  # meta key (and reply action type): the conversation ended, the widget asks for a rating
PUBLIC_META = {"citations", "actions", "handoff", "author", "ask", CSAT_PROMPT}  # meta keys clients may see


@dataclass(frozen=True)
class Message:
    id: int
    session_id: str
    role: str
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    created_at: datetime
    meta: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "text": self.text, "language": self.language,
                "intent": self.intent, "confidence": self.confidence, "created_at": self.created_at.isoformat(),
                **{k: v for k, v in self.meta.items() if k in PUBLIC_META}}


@dataclass
class Session:
    id: str
    created_at: datetime
    updated_at: datetime
    language: str | None
    customer_id: str | None
    status: str
    state: DialogueState
    csat: int | None = None


def redacted(text: str) -> str:
    return redact(text)[0]


def new_session_id() -> str:
    return "ses_" + secrets.token_urlsafe(16)


class ConversationStore:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def create_schema(self) -> None:
        """Create an empty database at the newest revision; refuse one that is behind (portside db upgrade)."""
        from assistant.storage.migrate import prepare

        prepare(self.engine)

    def create_session(self, session_id: str | None = None, client: str | None = None) -> Session:
        now = self.clock.now()
        session = Session(id=session_id or new_session_id(), created_at=now, updated_at=now, language=None,
                          customer_id=None, status="bot", state=DialogueState())
        with self.engine.begin() as conn:
            conn.execute(insert(t.sessions).values(
                id=session.id, created_at=now, updated_at=now, status="bot",
                state=session.state.model_dump(mode="json"), client=client))
        return session

    def get_session(self, session_id: str) -> Session | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sessions).where(t.sessions.c.id == session_id)).mappings().first()
        if row is None:
            return None
        return Session(id=row["id"], created_at=row["created_at"], updated_at=row["updated_at"],
                       language=row["language"], customer_id=row["customer_id"], status=row["status"],
                       state=DialogueState.model_validate(row["state"] or {}), csat=row["csat"])

    def save_session(self, session: Session) -> None:
        session.updated_at = self.clock.now()
        session.language = session.state.language
        session.customer_id = session.state.customer_id
        with self.engine.begin() as conn:
            conn.execute(update(t.sessions).where(t.sessions.c.id == session.id).values(
                updated_at=session.updated_at, language=session.language, customer_id=session.customer_id,
                verified_via=session.state.verified_via, status=session.status,
                state=session.state.model_dump(mode="json")))

    def set_status(self, session_id: str, status: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.sessions).where(t.sessions.c.id == session_id).values(
                status=status, updated_at=self.clock.now()))

    def set_csat(self, session_id: str, score: int, comment: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.sessions).where(t.sessions.c.id == session_id).values(
                csat=score, csat_comment=redacted(comment) if comment else comment, updated_at=self.clock.now()))

    def add_message(self, session_id: str, role: str, text: str, *, language: str | None = None,
                    intent: str | None = None, confidence: float | None = None,
                    meta: dict[str, Any] | None = None) -> Message:
        now = self.clock.now()
        text = redacted(text)  # whoever wrote it (shopper, staff in Slack, a template): no card or secret is stored
        with self.engine.begin() as conn:
            result = conn.execute(insert(t.messages).values(
                session_id=session_id, role=role, text=text, language=language, intent=intent,
                confidence=confidence, created_at=now, meta=meta or {}))
            msg_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return Message(msg_id, session_id, role, text, language, intent, confidence, now, meta or {})

    def update_message(self, message_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.messages).where(t.messages.c.id == message_id).values(**values))

    def transcript(self, session_id: str, limit: int = 500) -> list[Message]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.messages).where(t.messages.c.session_id == session_id)
                                .order_by(t.messages.c.id.desc()).limit(limit)).mappings().all()
        return [Message(r["id"], r["session_id"], r["role"], r["text"], r["language"], r["intent"],
                        r["confidence"], r["created_at"], r["meta"] or {}) for r in reversed(rows)]

    def sessions_of_customer(self, customer_id: str, exclude: str | None = None, limit: int = 5) -> list[Session]:
        with self.engine.connect() as conn:
            ids = conn.scalars(select(t.sessions.c.id).where(t.sessions.c.customer_id == customer_id)
                               .where(t.sessions.c.id != (exclude or ""))
                               .order_by(t.sessions.c.updated_at.desc()).limit(limit)).all()
        return [s for s in (self.get_session(i) for i in ids) if s]
