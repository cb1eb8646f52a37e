"""The queue of data-subject requests: from a shopper in the chat or a store platform's privacy webhooks, each with
the legal deadline of the person's country; staff fulfil (export or erase) or refuse them with a reason."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from assistant import i18n
from assistant.audit import SYSTEM, Actor
from assistant.privacy import export as exporter
from assistant.privacy import links
from assistant.privacy.erase import erase
from assistant.privacy.laws import load_laws
from assistant.privacy.subject import Subject, SubjectNotFound, find
from assistant.storage import schema as t

if TYPE_CHECKING:
    from assistant.runtime import Services

KINDS = ("data_request", "redact", "shop_redact")
STATES = ("open", "fulfilled", "refused")


class PrivacyError(ValueError):
    """A request that cannot be decided as asked (unknown, already decided, no reason given)."""

    def __init__(self, message: str, row: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.row = row


class PrivacyRequests:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = services.engine

    # -- opening -------------------------------------------------------------------------------
    def open(self, conn: Connection, *, source: str, kind: str, actor: Actor = SYSTEM, country: str | None = None,
             customer_id: str | None = None, email: str | None = None, customer_ref: str | None = None,
             order_ids: list[str] | None = None, payload: dict[str, Any] | None = None,
             session_id: str | None = None, language: str | None = None) -> dict[str, Any]:
        """Queue a request inside the caller's transaction (with the delivery or the chat turn that carries it)."""
        if kind not in KINDS:
            raise PrivacyError(f"kind must be one of {', '.join(KINDS)}")
        now = self.services.clock.now()
        law, days = load_laws(self.services.settings.privacy_laws).for_country(country)
        request_id = "pr_" + secrets.token_hex(6)
        row: dict[str, Any] = {"id": request_id, "source": source, "kind": kind, "customer_ref": customer_ref,
               "email": email, "order_ids": order_ids or [], "payload": payload or {}, "state": "open",
               "received_at": now, "due_at": now + timedelta(days=days), "customer_id": customer_id,
               "session_id": session_id, "language": language, "law": law}
        conn.execute(insert(t.privacy_requests).values(**row))
        self.services.audit.record(actor, "privacy.request", request_id, conn=conn, kind=kind, source=source,
                                   law=law)
        for hook in self.services.privacy_hooks:
            hook(conn, row)
        return row

    def open_for_shopper(self, session_id: str, customer_id: str, kind: str, language: str) -> dict[str, Any]:
        """One open request of a kind per person: asking again in the chat returns the open one."""
        existing = [r for r in self.list("open") if r["customer_id"] == customer_id and r["kind"] == kind]
        if existing:
            return existing[0]
        customer = self.services.store.get_customer(customer_id)
        with self.engine.begin() as conn:
            return self.open(conn, source="chat", kind=kind, actor=Actor(f"shopper:{customer_id}", "chat"),
                             country=customer.country if customer else None, customer_id=customer_id,
                             email=customer.email if customer else None, session_id=session_id,
                             language=language)

    # -- reading -------------------------------------------------------------------------------
    def list(self, state: str | None = None) -> list[dict[str, Any]]:
        query = select(t.privacy_requests).order_by(t.privacy_requests.c.due_at)
        if state:
            if state not in STATES:
                raise PrivacyError(f"state must be one of {', '.join(STATES)}")
            query = query.where(t.privacy_requests.c.state == state)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def get(self, request_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.privacy_requests).where(t.privacy_requests.c.id == request_id)
                               ).mappings().first()
        return dict(row) if row else None

    def subject(self, conn: Connection, row: dict[str, Any]) -> Subject:
        return find(conn, customer_id=row["customer_id"], email=row["email"],
                    session_ids=[row["session_id"]] if row["session_id"] else None)

    # -- the person's data ---------------------------------------------------------------------
    def export(self, actor: Actor, *, customer_id: str | None = None, email: str | None = None,
               request_id: str | None = None) -> dict[str, Any]:
        with self.engine.begin() as conn:
            subject = find(conn, customer_id=customer_id, email=email)
            doc = exporter.export(conn, subject, self.services.clock.now())
            self.services.audit.record(actor, "privacy.export", request_id or subject.customer_id, conn=conn,
                                       records=sum(len(v) for v in doc.values() if isinstance(v, list)))
        return doc

    def erase(self, actor: Actor, *, customer_id: str | None = None, email: str | None = None,
              request_id: str | None = None) -> dict[str, Any]:
        with self.engine.begin() as conn:
            subject = find(conn, customer_id=customer_id, email=email)
            return erase(conn, subject, actor, self.services.audit, self.services.clock.now(), request_id)

    # -- deciding ------------------------------------------------------------------------------
    def decide(self, request_id: str, fulfil: bool, actor: Actor, note: str = "") -> dict[str, Any]:
        """Fulfil (an access request: export; an erasure: erase) or refuse with a reason. Conditional on the request
        being open, so of two staff deciding at once exactly one wins; the other gets PrivacyError with the row."""
        note = note.strip()
        if not fulfil and not note:
            raise PrivacyError("a refusal needs a reason the person can be told")
        row = self.get(request_id)
        if row is None:
            raise KeyError(request_id)
        now = self.services.clock.now()
        result: dict[str, Any] = {}
        with self.engine.begin() as conn:
            done = conn.execute(update(t.privacy_requests).where(t.privacy_requests.c.id == request_id)
                                .where(t.privacy_requests.c.state == "open")
                                .values(state="fulfilled" if fulfil else "refused", decided_by=actor.name,
                                        decided_at=now, decision_note=note or None)).rowcount == 1
            if not done:
                raise PrivacyError(f"request {request_id} is already {self.get(request_id)['state']}",  # type: ignore[index]
                                   self.get(request_id))
            self.services.audit.record(actor, f"privacy.{'fulfil' if fulfil else 'refuse'}", request_id, conn=conn,
                                       kind=row["kind"])
            if fulfil and row["kind"] == "redact":
                try:
                    result = erase(conn, self.subject(conn, row), actor, self.services.audit, now, request_id)
                except SubjectNotFound:
                    result = {"erasure_id": None, "counts": {}}
        if row["session_id"] and row["kind"] == "data_request" and fulfil:
            result["download_url"] = self._tell(row, "privacy_export_ready", url=links.export_url(
                self.services, request_id))
        elif row["session_id"] and not fulfil:
            self._tell(row, "privacy_refused", id=request_id, reason=note)
        return {**(self.get(request_id) or {}), **result}

    def _tell(self, row: dict[str, Any], key: str, **values: str) -> str | None:
        conv = self.services.conversations
        session = conv.get_session(row["session_id"])
        if session is None:
            return values.get("url")
        lang = session.state.language or row["language"] or "en"
        msg = conv.add_message(session.id, "assistant", i18n.t(lang, key, **values), language=lang,
                               meta={"privacy_request": row["id"]})
        self.services.events.publish(session.id, "message", msg.as_json())
        return values.get("url")
