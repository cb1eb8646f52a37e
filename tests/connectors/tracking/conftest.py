"""Fake trackers on 127.0.0.1, clients pointed at them, and a receiver that captures what a fake pushes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.tracking.aftership import AfterShipTracker
from connectors.tracking.seventeentrack import SeventeenTrackTracker
from tests.fakes.aftership import FakeAfterShip
from tests.fakes.seventeentrack import FakeSeventeenTrack

AFTERSHIP_KEY = "test-aftership-key"
AFTERSHIP_SECRET = "test-webhook-secret"
SEVENTEEN_KEY = "test-17token"


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def last(self) -> Delivery:
        assert self.deliveries, "nothing was pushed"
        return self.deliveries[-1]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint that only records the raw body and headers, as Portside's endpoint will receive them."""
    captured: list[Delivery] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            captured.append(Delivery(body, dict(self.headers.items())))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}/webhooks", captured)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def aftership() -> Iterator[FakeAfterShip]:
    with FakeAfterShip(api_key=AFTERSHIP_KEY) as fake:
        yield fake


@pytest.fixture
def as_tracker(aftership: FakeAfterShip) -> Iterator[AfterShipTracker]:
    with AfterShipTracker(AFTERSHIP_KEY, AFTERSHIP_SECRET, base_url=aftership.url, timeout=5) as tracker:
        yield tracker


@pytest.fixture
def seventeen() -> Iterator[FakeSeventeenTrack]:
    with FakeSeventeenTrack(token=SEVENTEEN_KEY) as fake:
        yield fake


@pytest.fixture
def st_tracker(seventeen: FakeSeventeenTrack) -> Iterator[SeventeenTrackTracker]:
    with SeventeenTrackTracker(SEVENTEEN_KEY, base_url=seventeen.url, timeout=5) as tracker:
        yield tracker
