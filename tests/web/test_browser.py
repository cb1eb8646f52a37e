"""The chat widget in a real browser: Chromium (via Playwright) on the demo storefront, served by a real server.

Screenshots of every step go to artifacts/screenshots/<test>-<step>.png (git-ignored).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from assistant.runtime import Services
from tests.assistant.helpers import scenario_order
from tests.conftest import STAFF_TOKEN

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ACCENT = "rgb(11, 110, 79)"  # data-accent="#0b6e4f" on the storefront
REPLY_TIMEOUT = 20_000  # ms; the first turns of a session warm up the embedder


# ---------------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is alive, which
    async tests in other modules (pytest-asyncio) cannot share."""
    if not Path(CHROMIUM).exists():  # a skipped browser suite would look like a pass
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(chat_services: Services) -> Iterator[str]:
    """The real app (demo storefront on) on a free port, in a background thread."""
    from assistant.api.app import create_app

    chat_services.settings.demo_storefront = True
    app = create_app(services=chat_services)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            srv.should_exit = True
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield base
    srv.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def page(browser: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    size = getattr(request, "param", None) or {"width": 1280, "height": 860}
    context = browser.new_context(viewport=size, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(REPLY_TIMEOUT)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.base = server  # type: ignore[attr-defined]
    pg.shot_name = request.node.name.removeprefix("test_")  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# ---------------------------------------------------------------------------------------------------- helpers
def shot(page: Any, step: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{page.shot_name}-{step}.png"))


def visit(page: Any, customer_id: str = "", **params: str) -> None:
    params.setdefault("hostile", "1")  # the storefront's aggressive CSS on: the widget must not care
    query = "&".join(f"{k}={v}" for k, v in {"as": customer_id, **params}.items() if v)
    page.goto(f"{page.base}/{'?' + query if query else ''}")
    page.locator("portside-chat .launcher").wait_for()


def open_widget(page: Any) -> None:
    if not page.locator("portside-chat .panel").is_visible():
        page.locator("portside-chat .launcher").click()
    page.locator("portside-chat textarea").wait_for(state="visible")


def ask(page: Any, text: str) -> Any:
    """Type and send with Enter; wait until the reply is complete. Returns the last assistant row."""
    before = page.locator("portside-chat .row.assistant:not(.typing-row)").count()
    box = page.locator("portside-chat textarea")
    box.fill(text)
    box.press("Enter")
    wait_idle(page)
    rows = page.locator("portside-chat .row.assistant:not(.typing-row)")
    count = rows.count()
    assert count > before, "no reply appeared"
    return rows.nth(count - 1)  # pinned: later replies must not move it


def wait_idle(page: Any) -> None:
    page.wait_for_function("""() => {
        const log = document.querySelector('portside-chat').shadowRoot.querySelector('.log');
        return log.getAttribute('aria-busy') === 'false';
    }""", timeout=REPLY_TIMEOUT)


def widget_state(page: Any) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(f"() => JSON.parse(localStorage.getItem('portside:{page.base}') || '{{}}')")
    return state


def shadow_style(page: Any, selector: str, prop: str) -> str:
    value: str = page.evaluate(
        """([sel, prop]) => getComputedStyle(document.querySelector('portside-chat').shadowRoot.querySelector(sel))
                            .getPropertyValue(prop)""", [selector, prop])
    return value


# ---------------------------------------------------------------------------------------------------- tests
def test_signed_in_shopper_sees_order_card_in_spanish(page: Any, chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    visit(page, order.customer_id)
    assert page.locator("#signin").input_value() == order.customer_id
    shot(page, "1-storefront")
    open_widget(page)
    shot(page, "2-open")
    reply = ask(page, f"¿Dónde está mi pedido {order.id}?")
    shot(page, "3-reply")
    assert order.id in reply.locator(".bubble").inner_text()
    card = reply.locator(".card.order")
    assert card.count() == 1
    card_text = card.inner_text()
    tracking = order.shipments[0].tracking_number
    assert order.id in card_text and tracking in card_text and order.shipments[0].carrier in card_text
    assert "Entrega estimada" in card_text or not order.shipments[0].estimated_delivery
    # The UI follows the reply's language.
    assert page.locator("portside-chat textarea").get_attribute("placeholder") == "Escribe tu mensaje…"
    # The storefront's aggressive CSS is live on its own buttons...
    assert page.evaluate("getComputedStyle(document.querySelector('.product button')).backgroundColor") \
        == "rgb(255, 0, 0)"
    # ...and never reaches the widget inside its shadow root.
    assert shadow_style(page, ".send", "background-color") == ACCENT
    assert shadow_style(page, ".send", "font-size") == "14px"
    assert shadow_style(page, ".send", "border-top-width") == "0px"
    assert shadow_style(page, ".send", "width") == "40px"
    assert shadow_style(page, ".log", "border-top-style") == "none"
    assert shadow_style(page, ".launcher svg", "width") == "26px"


def test_guest_is_asked_to_verify(page: Any, chat_services: Services) -> None:
    visit(page)
    open_widget(page)
    focused = "() => document.querySelector('portside-chat').shadowRoot.activeElement?.tagName"
    assert page.evaluate(focused) == "TEXTAREA"  # focus moves to the input on open
    box = page.locator("portside-chat textarea")
    box.fill("Where is")
    box.press("Shift+Enter")  # a new line, not a send
    assert box.input_value() == "Where is\n" and page.locator("portside-chat .row.shopper").count() == 0
    reply = ask(page, "Where is my order?")
    shot(page, "1-reply")
    text = reply.inner_text()
    assert "order number" in text and ("email" in text or "postal code" in text)
    assert page.locator("portside-chat .card").count() == 0
    session = httpx.get(f"{page.base}/v1/sessions/{widget_state(page)['sid']}").json()
    assert session["verified"] is False


def test_return_confirmed_by_button(page: Any, chat_services: Services) -> None:
    order = scenario_order(chat_services, "delivered_day_31")  # one backpack, delivered 31 days ago
    visit(page, order.customer_id)
    open_widget(page)
    reply = ask(page, f"I want to return order {order.id}, it arrived broken")
    buttons = reply.locator(".confirm button")
    assert buttons.count() == 2
    assert buttons.nth(0).inner_text() == "Confirm" and buttons.nth(1).inner_text() == "Cancel"
    shot(page, "1-proposal")
    buttons.nth(0).click()
    assert buttons.nth(0).is_disabled() and buttons.nth(1).is_disabled()
    wait_idle(page)
    shopper = page.locator("portside-chat .row.shopper")
    assert shopper.last.inner_text() == "yes"
    card = page.locator("portside-chat .card.rma")
    card.wait_for()
    shot(page, "2-return-card")
    assert re.search(r"RMA-\S+", card.inner_text())
    label = card.locator("a.label")
    href = label.get_attribute("href") or ""
    assert href.startswith(page.base + "/v1/returns/") and "label.pdf" in href
    assert label.get_attribute("target") == "_blank" and "noopener" in (label.get_attribute("rel") or "")
    pdf = httpx.get(href)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"


def test_arabic_is_right_to_left(page: Any, chat_services: Services) -> None:
    customer = next(c for c in chat_services.store.list_customers(limit=200) if c.language == "ar")
    visit(page, customer.id)
    open_widget(page)
    assert shadow_style(page, ".log", "direction") == "rtl"
    reply = ask(page, "أين طلبي؟")
    shot(page, "1-reply")
    assert shadow_style(page, ".log", "direction") == "rtl"
    assert page.locator("portside-chat .panel").get_attribute("dir") == "rtl"
    text = reply.locator(".bubble").inner_text()
    assert len(re.findall(r"[\u0600-\u06FF]", text)) > 10, text
    session = httpx.get(f"{page.base}/v1/sessions/{widget_state(page)['sid']}").json()
    assert session["language"] == "ar"
    # Mirrored layout: launcher and panel sit on the left.
    launcher = page.locator("portside-chat .launcher").bounding_box()
    panel = page.locator("portside-chat .panel").bounding_box()
    assert launcher and panel and launcher["x"] < 100 and panel["x"] < 100


def test_conversation_survives_a_reload(page: Any, chat_services: Services) -> None:
    order = scenario_order(chat_services, "in_transit")
    visit(page, order.customer_id)
    open_widget(page)
    ask(page, "Hello!")
    ask(page, f"Where is my order {order.id}?")
    shot(page, "1-before")
    page.reload()
    page.locator("portside-chat .hist .row.assistant").nth(1).wait_for()
    open_widget(page)
    shot(page, "2-after")
    assert page.locator("portside-chat .row.shopper").all_inner_texts() == ["Hello!", f"Where is my order {order.id}?"]
    assert page.locator("portside-chat .row.assistant").count() == 2
    assert page.locator(f"portside-chat .card.order[data-order='{order.id}']").count() == 1
    # The conversation carries on in the same session.
    sid = widget_state(page)["sid"]
    ask(page, "Thanks!")
    assert widget_state(page)["sid"] == sid
    assert len(httpx.get(f"{page.base}/v1/sessions/{sid}").json()["messages"]) == 6
    # Signing out (the storefront reloads as a guest): the guest never sees the customer's conversation.
    with page.expect_navigation():
        page.locator("#signin").select_option("")
    page.locator("portside-chat .launcher").wait_for()
    open_widget(page)
    shot(page, "3-signed-out")
    assert page.locator("portside-chat .row").count() == 0 and not widget_state(page).get("sid")


def test_staff_reply_is_pushed_and_csat_follows(page: Any, chat_services: Services) -> None:
    visit(page)
    open_widget(page)
    ask(page, "I want to talk to a human")
    sid = widget_state(page)["sid"]
    handoff_id = httpx.get(f"{page.base}/v1/sessions/{sid}").json()["handoff_id"]
    assert handoff_id
    page.keyboard.press("Escape")  # the shopper closes the chat and keeps browsing
    assert page.locator("portside-chat .panel").is_hidden()
    auth = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    r = httpx.post(f"{page.base}/v1/handoffs/{handoff_id}/reply", headers=auth,
                   json={"staff": "Ana", "text": "Hola, soy Ana"})
    assert r.status_code == 200, r.text
    badge = page.locator("portside-chat .launcher .badge")
    badge.wait_for(state="visible", timeout=3000)
    assert badge.inner_text() == "1"
    shot(page, "0-badge")
    open_widget(page)
    assert badge.is_hidden()
    staff = page.locator("portside-chat .row.staff")
    staff.wait_for(timeout=3000)
    assert "Hola, soy Ana" in staff.inner_text() and "Ana" in staff.locator(".who").inner_text()
    assert page.locator("portside-chat .banner").inner_text() == "Ana has joined"
    assert "Ana" in page.locator("portside-chat .hd-sub").inner_text()
    shot(page, "1-staff")
    # While the person holds the chat the bot stays quiet.
    page.locator("portside-chat textarea").fill("Gracias")
    page.locator("portside-chat textarea").press("Enter")
    wait_idle(page)
    assert page.locator("portside-chat .row.assistant").count() == 1
    # Resolved: the assistant says so and asks for a rating.
    r = httpx.post(f"{page.base}/v1/handoffs/{handoff_id}/resolve", headers=auth, json={"staff": "Ana"})
    assert r.status_code == 200, r.text
    page.locator("portside-chat .csat .star").nth(4).wait_for(timeout=5000)
    assert page.locator("portside-chat .row.assistant").count() == 2
    shot(page, "2-csat")
    page.locator("portside-chat .csat .star").nth(4).click()
    page.locator("portside-chat .csat .thanks").wait_for()
    deadline = time.monotonic() + 3
    while httpx.get(f"{page.base}/v1/sessions/{sid}").json()["csat"] != 5:
        assert time.monotonic() < deadline, "the rating was not saved"
        time.sleep(0.05)
    shot(page, "3-thanks")


def test_staff_reply_reaches_a_browser_without_websockets(page: Any, chat_services: Services) -> None:
    """WebSockets blocked (corporate proxy): the widget falls back to POST /v1/chat and server-sent events."""
    page.add_init_script("window.WebSocket = function () { throw new Error('blocked'); };")
    visit(page)
    open_widget(page)
    ask(page, "I want to talk to a human")
    sid = widget_state(page)["sid"]
    handoff_id = httpx.get(f"{page.base}/v1/sessions/{sid}").json()["handoff_id"]
    r = httpx.post(f"{page.base}/v1/handoffs/{handoff_id}/reply", headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
                   json={"staff": "Ana", "text": "Hola, soy Ana"})
    assert r.status_code == 200, r.text
    page.locator("portside-chat .row.staff").wait_for(timeout=5000)
    shot(page, "1-staff")
    assert page.locator("portside-chat .row.staff").count() == 1


def test_messages_typed_while_offline_are_sent_once_on_reconnect(page: Any, chat_services: Services) -> None:
    sockets: list[Any] = []
    blocked = {"on": False}

    def route(ws: Any) -> None:
        if blocked["on"]:
            ws.close()
            return
        sockets.append(ws)
        ws.connect_to_server()

    page.route_web_socket(re.compile(r".*/v1/chat/ws.*"), route)
    visit(page)
    open_widget(page)
    ask(page, "Hello!")
    blocked["on"] = True
    for ws in sockets:
        ws.close()
    page.locator("portside-chat .conn").wait_for(state="visible", timeout=5000)
    shot(page, "1-offline")
    box = page.locator("portside-chat textarea")
    box.fill("What payment methods do you accept?")
    box.press("Enter")
    assert widget_state(page)["outbox"][0]["text"] == "What payment methods do you accept?"
    blocked["on"] = False
    wait_idle(page)
    page.locator("portside-chat .conn").wait_for(state="hidden")
    shot(page, "2-back")
    assert page.locator("portside-chat .row.shopper").count() == 2
    assert page.locator("portside-chat .row.assistant").count() == 2
    messages = httpx.get(f"{page.base}/v1/sessions/{widget_state(page)['sid']}").json()["messages"]
    assert [m["role"] for m in messages] == ["shopper", "assistant", "shopper", "assistant"]


@pytest.mark.parametrize("page", [{"width": 360, "height": 740}], indirect=True)
def test_small_phone_has_no_horizontal_overflow(page: Any, chat_services: Services) -> None:
    order = scenario_order(chat_services, "multi_shipment")
    visit(page, order.customer_id)
    shot(page, "1-storefront")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    open_widget(page)
    ask(page, f"Where is my order {order.id}?")
    shot(page, "2-open")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    panel = page.locator("portside-chat .panel").bounding_box()
    assert panel == {"x": 0, "y": 0, "width": 360, "height": 740}
    assert page.evaluate("""() => {
        const log = document.querySelector('portside-chat').shadowRoot.querySelector('.log');
        return log.scrollWidth <= log.clientWidth;
    }""")
    assert not page.locator("portside-chat .launcher").is_visible()  # the header's close button closes
    page.keyboard.press("Escape")
    page.locator("portside-chat .launcher").wait_for(state="visible")
