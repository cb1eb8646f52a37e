"""One chat turn, stage by stage: persist the inbound message → language → guard → understand → engine
(policy & tools) → persist the reply → return. Every stage is timed for bench/turn_latency.py."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from assistant import guard
from assistant.dialogue.ask import Ask, ask_for
from assistant.dialogue.choice import ChoiceIn, apply_choice
from assistant.dialogue.loops import guard_loop
from assistant.engine.base import Engine, Reply, Turn, Understanding
from assistant.identity import InvalidToken, verify_token
from assistant.nlu.intents import IntentScore
from assistant.nlu.language import decide_language
from assistant.nlu.lexicon import LANGUAGES
from assistant.nlu.slots import EMAIL, Slots, extract, without
from assistant.runtime import Services
from assistant.state import Pending
from assistant.storage.conversations import CSAT_PROMPT, Message, Session
from assistant.tools.context import ToolContext
from knowledge.retrieval import Citation

log = logging.getLogger("portside.chat")
NON_LATIN = {"ar", "zh", "ja", "ko", "th", "ru"}
REASON_TASKS = {"return_request", "exchange_request"}  # messages whose reason, if any, matters


def meaning_text(text: str, slots: Slots) -> str:
    """The message without order numbers, tracking numbers and emails: ids carry no intent, and the examples
    that contain ids would otherwise pull every message that mentions one towards order status."""
    out = EMAIL.sub(" ", without(text, [*slots.order_refs, *slots.tracking_numbers]))
    out = " ".join(out.split())
    return out if sum(ch.isalpha() for ch in out) >= 2 else text


class ChatError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class ChatRequest:
    message: str
    session_id: str | None = None
    language: str | None = None
    customer_token: str | None = None
    client: str | None = None
    client_id: str | None = None  # the widget's id for this message: a resend after reconnect is not redone
    choice: ChoiceIn | None = None  # a quick-reply button: the answer to the step it was offered for


@dataclass
class ChatResult:
    session_id: str
    reply: Reply
    language: str
    verified: bool
    message_id: int
    timings: dict[str, float] = field(default_factory=dict)
    held_by_human: bool = False


class ChatService:
    def __init__(self, services: Services, engine: Engine | None = None) -> None:
        from assistant.engine.offline import OfflineEngine

        self.services = services
        self.engine = engine or OfflineEngine()
        self.fallback = OfflineEngine()

    def handle(self, req: ChatRequest) -> ChatResult:
        timings: dict[str, float] = {}

        @contextmanager
        def stage(name: str) -> Iterator[None]:
            start = time.perf_counter()
            yield
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

        if not req.message or not req.message.strip():
            raise ChatError(422, "invalid_request", "message must not be empty")
        if req.language is not None and req.language not in LANGUAGES:
            raise ChatError(422, "invalid_request", f"language must be one of {', '.join(LANGUAGES)}")
        try:
            clean, redactions = guard.screen(req.message.strip())
        except guard.InputTooLong as exc:
            raise ChatError(413, "too_large", str(exc)) from None
        conv = self.services.conversations
        with stage("session"):
            session = self._session(req)
        with self.services.session_locks.hold(session.id):
            session = conv.get_session(session.id) or session
            self._apply_token(session, req.customer_token)
            inbound_meta = {"redactions": list(redactions), "client_id": req.client_id}
            inbound = None
            if req.client_id:
                found = self._client_message(session, req.client_id)
                if found is not None:
                    message, answer = found
                    if answer is not None or message.meta.get("held"):
                        return self._replay(session, message, answer)
                    # Stored, then the server died before answering: answer it now, from the stored text.
                    inbound, clean, inbound_meta = message, message.text, dict(message.meta)
            if inbound is None:
                with stage("persist_in"):
                    inbound = conv.add_message(session.id, "shopper", clean, meta=inbound_meta)
            with stage("language"):
                decision = decide_language(clean, session.state.language, req.language)
            if session.status == "handoff" and session.state.handoff_id:
                return self._held(session, inbound.id, inbound_meta, decision.language, clean, timings)
            with stage("guard"):
                verdict = guard.assess(clean, redactions, decision.language)
            with stage("embed"):
                slots = extract(verdict.text, decision.language, self.services.order_pattern)
                vector = self.services.embedder.embed_queries([meaning_text(verdict.text, slots)])[0]
            with stage("understand"):
                scores = self.services.intents.classify(vector)
                language = decision.language
                if decision.source == "default" and scores[0].language_hint and scores[0].similarity >= 0.93:
                    hint = scores[0].language_hint
                    if not (verdict.text.isascii() and hint in NON_LATIN):
                        language = hint  # "hola" in a new session: the nearest example's language
                top = scores[0]
                if language != decision.language:
                    slots = extract(verdict.text, language, self.services.order_pattern)
            session.state.language = language
            history = conv.transcript(session.id, limit=40)[:-1]
            ctx = ToolContext(self.services, session.id, session.state, language, message=verdict.text,
                              client=req.client)
            before = session.state.pending.model_copy(deep=True) if session.state.pending else None
            slots, text = apply_choice(req.choice, before, slots, verdict.text, ctx)
            with stage("understand"):
                slots = self._reason_by_meaning(slots, vector, text, language, before, scores, req.choice is not None)
            nlu = Understanding(top.intent, top.confidence, top.low, scores, slots, vector)
            turn = Turn(session.id, text, language, decision.switched, verdict, nlu, history)
            with stage("engine"):
                reply = self._respond(turn, ctx)
                asked = session.state.pending
                reply.ask = ask_for(asked, ctx)
                reply.text = guard_loop(before, ctx, reply.text, bool(reply.ask and reply.ask.choices))
                if session.state.pending is not asked:
                    reply.ask = ask_for(session.state.pending, ctx)  # the guard offered a person instead
            pending = session.state.pending
            if pending is not None and pending.step == "confirm":
                # A proposal waits for the shopper's yes/no: widgets show Confirm / Cancel buttons.
                reply.actions.append({"type": "confirm", "intent": pending.intent})
            with stage("persist_out"):
                conv.update_message(inbound.id, language=language, intent=reply.intent,
                                    confidence=reply.confidence, meta={**inbound_meta, "flags": list(verdict.flags)})
                out = conv.add_message(session.id, "assistant", reply.text, language=language, intent=reply.intent,
                                       meta=self._meta(reply))
                if ctx.handoff is not None:
                    session.status = "handoff"
                conv.save_session(session)
            return ChatResult(session.id, reply, language, session.state.verified, out.id, timings)

    def _client_message(self, session: Session, client_id: str) -> tuple[Message, Message | None] | None:
        """The shopper message sent with this client id (a resend after a dropped connection or a crash), and the
        assistant's answer to it if there is one."""
        messages = self.services.conversations.transcript(session.id, limit=60)
        for i, m in enumerate(messages):
            if m.role == "shopper" and m.meta.get("client_id") == client_id:
                return m, next((a for a in messages[i + 1:] if a.role == "assistant"), None)
        return None

    def _replay(self, session: Session, message: Message, answer: Message | None) -> ChatResult:
        """The result already given for a message: its answer, or (a person held the chat) no answer."""
        language = message.language or session.state.language or "en"
        if answer is None:
            return ChatResult(session.id, Reply(text="", intent=message.intent or "human_agent", confidence=1.0),
                              language, session.state.verified, message.id, {}, held_by_human=True)
        reply = Reply(text=answer.text, intent=message.intent or "other", confidence=message.confidence or 0.0,
                      citations=[Citation(**c) for c in answer.meta.get("citations", [])],
                      actions=answer.meta.get("actions", []), handoff=answer.meta.get("handoff"),
                      ask=Ask.model_validate(answer.meta["ask"]) if answer.meta.get("ask") else None)
        return ChatResult(session.id, reply, language, session.state.verified, answer.id, {})

    def _reason_by_meaning(self, slots: Slots, vector: Any, text: str, language: str, pending: Pending | None,
                           scores: list[IntentScore], chosen: bool) -> Slots:
        """A return reason no lexicon phrase matched, heard by meaning when one is wanted: at the reason step,
        or in a message that reads as a return or an exchange."""
        if slots.reasons or chosen:
            return slots  # a clicked button is taken as given, never guessed at from its label
        at_step = pending is not None and pending.step == "reason"
        if pending is not None and not at_step:
            return slots  # an item's name or an order number mid-task is no reason
        if not at_step and scores[0].intent not in REASON_TASKS and not slots.return_words:
            return slots  # "cancel it, I found it cheaper elsewhere" gives no reason to return anything
        code = self.services.reasons.match(vector, language, at_step=at_step, text=text)
        return replace(slots, reasons=[code]) if code else slots

    def _respond(self, turn: Turn, ctx: ToolContext) -> Reply:
        if self.engine is self.fallback:
            return self.engine.respond(turn, ctx)
        before = ctx.state.model_copy(deep=True)
        try:
            return self.engine.respond(turn, ctx)
        except Exception as exc:  # a provider failure must not lose the turn: the offline engine answers
            log.warning("engine %s failed, offline engine answers: %s: %s", getattr(self.engine, "name", "?"),
                        type(exc).__name__, exc)
            self.services.metrics.incr("engine_fallbacks")
            ctx.rollback(before)  # what the failed attempt changed must not count a second time
            return self.fallback.respond(turn, ctx)

    def _session(self, req: ChatRequest) -> Session:
        conv = self.services.conversations
        if req.session_id is None:
            return conv.create_session(client=req.client)
        session = conv.get_session(req.session_id)
        if session is None:
            raise ChatError(404, "not_found", "session not found; omit session_id to start a new one")
        return session

    def _apply_token(self, session: Session, token: str | None) -> None:
        if not token:
            return
        try:
            customer_id = verify_token(token, self.services.settings.widget_secret)
        except InvalidToken as exc:
            raise ChatError(401, "invalid_token", str(exc)) from None
        if self.services.store.get_customer(customer_id) is None:
            raise ChatError(401, "invalid_token", "customer token names an unknown customer")
        state = session.state
        if state.customer_id and state.customer_id != customer_id:
            raise ChatError(403, "forbidden", "this session belongs to another customer")
        if state.customer_id is None:
            state.customer_id, state.verified_via = customer_id, "token"

    def _held(self, session: Session, inbound_id: int, meta: dict[str, Any], language: str, text: str,
              timings: dict[str, float]) -> ChatResult:
        """A person holds the conversation: the message goes to them, the bot stays quiet."""
        conv = self.services.conversations
        conv.update_message(inbound_id, language=language, meta={**meta, "held": True})
        handoff_id = session.state.handoff_id
        self.services.events.publish(session.id, "shopper_message", {"handoff_id": handoff_id, "text": text,
                                                                     "message_id": inbound_id})
        for hook in self.services.shopper_message_hooks:
            hook(session.id, handoff_id, text, inbound_id)
        row = self.services.handoffs.get(handoff_id or "")
        handoff = self.services.handoffs.public(row, language) if row else None
        reply = Reply(text="", intent="human_agent", confidence=1.0, handoff=handoff)
        return ChatResult(session.id, reply, language, session.state.verified, inbound_id, timings,
                          held_by_human=True)

    @staticmethod
    def _meta(reply: Reply) -> dict[str, Any]:
        meta: dict[str, Any] = {"citations": [c.__dict__ for c in reply.citations], "actions": reply.actions,
                                "handoff": reply.handoff, "engine": reply.engine,
                                "ask": reply.ask.model_dump() if reply.ask else None}
        if any(a.get("type") == CSAT_PROMPT for a in reply.actions):
            meta[CSAT_PROMPT] = True  # a reload of the widget asks for the rating too
        return meta
