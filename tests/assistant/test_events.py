"""The event bus: a subscriber is woken by a publish in this process at once, and by another process's publish
through the poller; an event written between a read and the wait is not lost."""

from __future__ import annotations

import asyncio

import pytest

from assistant.runtime import Services
from assistant.settings import Settings
from assistant.storage.events import POLL_SECONDS, woken

pytestmark = pytest.mark.both_databases


async def test_local_publish_wakes_a_subscriber_at_once(services: Services) -> None:
    bus = services.events
    sid = services.conversations.create_session().id
    async with bus.subscription(sid) as flag:
        assert bus.since(sid) == []
        bus.publish(sid, "staff_message", {"text": "hola"})  # after the read, before the wait
        assert await woken(flag, 0.05)
    assert [e.kind for e in bus.since(sid)] == ["staff_message"]


async def test_another_process_publish_wakes_it_through_the_poller(services: Services, settings: Settings) -> None:
    sid = services.conversations.create_session().id
    other = Services(settings)  # a second server process on the same database
    try:
        async with services.events.subscription(sid) as flag:
            await asyncio.sleep(POLL_SECONDS * 2)  # the poller has started and seen the table
            other.events.publish(sid, "staff_message", {"text": "from another server"})
            assert await woken(flag, POLL_SECONDS * 8)
        assert not await services.events.wait("someone-else", timeout=0.05)  # nothing for other sessions
    finally:
        other.close()
