"""Emails, phone numbers and street addresses never reach the server's log output, from any logger; ids, amounts,
timestamps and paths stay readable."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from assistant.api import log_redaction
from assistant.api.log_redaction import redact_personal
from assistant.runtime import Services
from tests.assistant.helpers import Shopper, scenario_order, token_for

PERSONAL = [
    "ana.lima+shop@example.com.br", "JOSE@Correo.MX", "+55 11 98765-4321", "(212) 555-0187", "0612345678",
    "+86 138 0013 8000", "12 Baker Street", "Rua das Flores 120", "Calle Mayor 5", "Hauptstraße 12",
    "221B Baker St", "ul. Marszałkowska 10", "Jalan Sudirman 45", "Via Roma 3",
]
KEPT = ["order BR-100234", "tracking LB123456789BR", "2026-12-06 12:00:00", "total 1234.50 BRL",
        "GET /v1/orders/1001 HTTP/1.1", "RMA-7F3A21", "#1001", "pr_0a1b2c3d4e5f"]


@pytest.mark.parametrize("value", PERSONAL)
def test_personal_data_is_masked(value: str) -> None:
    masked = redact_personal(f"shopper wrote: {value}, please help")
    assert value not in masked and "[" in masked


@pytest.mark.parametrize("value", KEPT)
def test_ids_amounts_and_times_stay(value: str) -> None:
    assert redact_personal(value) == value


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """The server's log output: a root handler as a deployment has, with Portside's filter installed."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    log_redaction.install()
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_chat_with_personal_data_leaves_none_in_the_log(chat_services: Services,
                                                               chat_client: httpx.AsyncClient,
                                                               server_log: io.StringIO) -> None:
    order = scenario_order(chat_services, "processing")
    shopper = Shopper(chat_client, token_for(chat_services, order))
    await shopper.say(f"Please change the address of {order.id} to 12 Baker Street, London NW1 6XE, "
                      "phone +44 20 7946 0958, mail me at sherlock.h@example.co.uk")
    logging.getLogger("portside.platform").warning("platform refused %s: %s", order.id,
                                                   "address 12 Baker Street is not deliverable, call +44 20 7946 0958")
    logging.getLogger("uvicorn.error").error("client sherlock.h@example.co.uk disconnected")
    text = server_log.getvalue()
    assert order.id in text  # something was logged, ids kept
    for value in ("12 Baker Street", "+44 20 7946 0958", "sherlock.h@example.co.uk"):
        assert value not in text, value


def test_uvicorn_access_lines_keep_their_shape() -> None:
    """uvicorn's access formatter unpacks the record's five arguments: masking must keep them a 5-tuple."""
    from uvicorn.logging import AccessFormatter

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(log_redaction.RedactPersonal())
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    logger = logging.getLogger("portside.test.access")  # its own logger: other tests configure uvicorn's
    logger.propagate, logger.level = False, logging.INFO
    logger.addHandler(handler)
    try:
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/v1/orders/1001?email=ana@example.com",
                    "1.1", 200)
    finally:
        logger.removeHandler(handler)
    assert out.getvalue().strip() == '127.0.0.1:5000 - "GET /v1/orders/1001?email=[email] HTTP/1.1" 200 OK'
