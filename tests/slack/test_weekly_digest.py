"""The weekly insights digest reaches the fake Slack once per week, with last week's numbers and a PNG chart
uploaded the way Slack's files_upload_v2 does it (upload URL, raw bytes, complete)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from assistant.api.app import create_app
from assistant.clock import FixedClock
from assistant.insights.digest import last_week, queue_weekly_digest
from assistant.runtime import Services
from tests.assistant.insights.test_insights import history  # noqa: F401 - the seeded history fixture
from tests.conftest import NOW
from tests.fakes.slack import FakeSlack, wire

pytestmark = pytest.mark.both_databases


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def app_services(chat_services: Services, slack: FakeSlack) -> Services:
    create_app(services=wire(chat_services, slack))  # installs the Slack outbox handlers
    return chat_services


def drain(services: Services) -> None:
    while services.outbox.run_once():
        pass


def test_last_week_is_the_iso_week_before_this_monday() -> None:
    assert last_week(NOW, "UTC") == ("2026-W47", datetime(2026, 11, 16, tzinfo=NOW.tzinfo),
                                     datetime(2026, 11, 23, tzinfo=NOW.tzinfo))
    assert last_week(datetime(2026, 11, 30, 7, 59, tzinfo=NOW.tzinfo), "UTC") is None  # Monday before 08:00
    assert last_week(datetime(2026, 11, 30, 8, 0, tzinfo=NOW.tzinfo), "UTC")[0] == "2026-W48"  # type: ignore[index]
    # 08:00 in Tokyo is Sunday 23:00 UTC: the Tokyo team gets it then.
    assert last_week(datetime(2026, 11, 29, 23, 30, tzinfo=NOW.tzinfo), "Asia/Tokyo")[0] == "2026-W48"  # type: ignore[index]


def test_the_digest_is_posted_once_per_week_with_a_chart(app_services: Services, slack: FakeSlack,
                                                          history: dict[str, str]) -> None:  # noqa: F811
    assert queue_weekly_digest(app_services)
    assert queue_weekly_digest(app_services)  # a second server, or the next hourly tick: same week, same key
    drain(app_services)
    completes = slack.called("files.completeUploadExternal")
    assert len(completes) == 1
    uploaded = next(iter(slack.files.values()))
    assert uploaded["data"].startswith(b"\x89PNG") and uploaded["channel"] == "C123"
    comment = uploaded["comment"]
    assert "week 2026-W47" in comment and "Conversations: *5*" in comment  # s1-s4 and s6 fall in that week
    assert "refund_approval 1" in comment and ("tarjetas de regalo" in comment or "gift cards" in comment)

    app_services.settings.__dict__["clock"] = FixedClock(datetime(2026, 11, 30, 7, 0, tzinfo=NOW.tzinfo))
    assert not queue_weekly_digest(app_services)  # Monday, too early
    app_services.settings.__dict__["clock"] = FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=NOW.tzinfo))
    assert queue_weekly_digest(app_services)
    drain(app_services)
    assert len(slack.called("files.completeUploadExternal")) == 2
    assert "week 2026-W48" in slack.called("files.completeUploadExternal")[-1]["initial_comment"]
