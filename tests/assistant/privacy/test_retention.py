"""Retention: exactly the conversations past the window (and resolved handoffs) go; a dry run says the same and
deletes nothing; a conversation with an open handoff stays."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from assistant.audit import SYSTEM
from assistant.privacy.retention import purge
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper

pytestmark = pytest.mark.both_databases


def counts(services: Services) -> dict[str, int]:
    with services.engine.connect() as conn:
        return {table.name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for table in (t.sessions, t.messages, t.events, t.handoffs)}


async def test_purge_removes_exactly_what_is_past_the_window(chat_services: Services,
                                                            chat_client: httpx.AsyncClient) -> None:
    start = chat_services.clock.now()
    old = Shopper(chat_client)
    await old.say("I want to talk to a human")  # a handoff, resolved below: all of it is past the window
    resolved = chat_services.handoffs.open_for_session(old.session_id)  # type: ignore[arg-type]
    assert resolved is not None
    chat_services.handoffs.resolve(resolved["id"], "ana")
    waiting = Shopper(chat_client)
    await waiting.say("I want to talk to a human")  # still open: kept however old
    assert chat_services.handoffs.open_for_session(waiting.session_id) is not None  # type: ignore[arg-type]
    recent = Shopper(chat_client)
    await recent.say("Where is my order?")
    with chat_services.engine.begin() as conn:  # its last message came 20 days later
        conn.execute(update(t.sessions).where(t.sessions.c.id == recent.session_id)
                     .values(updated_at=start + timedelta(days=20)))
    before = counts(chat_services)
    now = start + timedelta(days=31)

    with chat_services.engine.begin() as conn:
        dry = purge(conn, now, 30, SYSTEM, chat_services.audit, dry_run=True)
    assert counts(chat_services) == before
    assert (dry.sessions, dry.handoffs) == (1, 1) and dry.messages >= 2 and dry.events >= 1

    with chat_services.engine.begin() as conn:
        done = purge(conn, now, 30, SYSTEM, chat_services.audit, dry_run=False)
    assert (done.sessions, done.messages, done.events, done.handoffs) == (dry.sessions, dry.messages, dry.events,
                                                                          dry.handoffs)
    after = counts(chat_services)
    assert {k: before[k] - after[k] for k in before} == {"sessions": 1, "messages": dry.messages,
                                                         "events": dry.events, "handoffs": 1}
    conv = chat_services.conversations
    assert conv.get_session(old.session_id) is None  # type: ignore[arg-type]
    assert conv.get_session(waiting.session_id) is not None and conv.get_session(recent.session_id) is not None  # type: ignore[arg-type]
    assert [e["detail"]["sessions"] for e in chat_services.audit.entries(action="retention.purge")] == [1]


def test_purge_command(settings) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PORTSIDE_HOME": str(settings.home), "PORTSIDE_NOW": settings.now.isoformat(),
           "PORTSIDE_DATABASE_URL": settings.resolved_database_url, "COLUMNS": "200"}
    cli = [sys.executable, "-m", "assistant.cli.main", "privacy", "purge"]
    missing = subprocess.run(cli + ["--dry-run"], env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "PORTSIDE_RETENTION_DAYS" in missing.stderr + missing.stdout
    ok = subprocess.run(cli + ["--dry-run"], env={**env, "PORTSIDE_RETENTION_DAYS": "30"}, capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0 and "would delete" in ok.stdout and "0 conversations" in ok.stdout
