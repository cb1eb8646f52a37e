"""The daily stuck-parcel list reaches the handoff channel once a day, whatever number of ticks or servers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.clock import FixedClock
from assistant.runtime import Services
from assistant.tracking.stuck import queue_daily_digest
from tests.assistant.tracking.test_notices_and_stuck import age_all_scans
from tests.conftest import NOW
from tests.fakes.slack import FakeSlack
from tests.slack.test_slack_app import app_services, client, slack  # noqa: F401 - fixtures

pytestmark = pytest.mark.both_databases


def test_the_digest_is_posted_once_a_day(app_services: Services, client: object,  # noqa: F811
                                         slack: FakeSlack) -> None:  # noqa: F811
    age_all_scans(app_services, 15)
    for _ in range(3):  # three ticks (or three servers) on one day
        assert queue_daily_digest(app_services)
        app_services.outbox.run_once()
    posts = [c for c in slack.called("chat.postMessage") if "Daily stuck-parcel list" in c.get("text", "")]
    assert len(posts) == 1 and "15 days since the last scan" in posts[0]["text"]
    app_services.settings.__dict__["clock"] = FixedClock(NOW + timedelta(days=1))
    assert queue_daily_digest(app_services)
    app_services.outbox.run_once()
    posts = [c for c in slack.called("chat.postMessage") if "Daily stuck-parcel list" in c.get("text", "")]
    assert len(posts) == 2
