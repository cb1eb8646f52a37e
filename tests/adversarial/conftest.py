"""One real server process for the adversarial probes (started once; the crash probe restarts it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adversarial.server import LiveServer
from tests.conftest import NOW
from tests.fakes.slack import FakeSlack


@pytest.fixture(scope="session")
def live_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, live_slack: FakeSlack,
         intent_cache_dir: Path, intent_classifier: object) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live-home"), live_slack.url, NOW.isoformat(), intent_cache_dir)
    server.start()
    yield server
    server.stop()
