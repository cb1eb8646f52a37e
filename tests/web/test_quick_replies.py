"""Quick-reply buttons in the chat widget (ask.choices), in real Chromium against a real server.

The server says what it waits for (`ask`: step + choices with labels in the conversation's language); the widget
shows the choices as buttons under the latest reply and sends the clicked label with `choice: {step, value}`.
Screenshots go to artifacts/screenshots/quick_replies-<test>-<step>.png (git-ignored).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant import i18n
from assistant.dialogue.ask import button_label
from assistant.runtime import Services
from connectors.models import Order
from tests.assistant.helpers import scenario_order
from tests.web import test_browser as tb
from tests.web.test_browser import ask, open_widget, shadow_style, shot, visit, wait_idle, widget_state

pytestmark = pytest.mark.browser

# The real browser and server fixtures of the widget's browser suite (module-scoped browser, app on a free port).
browser = tb.browser
server = tb.server

QUICK = ".quick[role=group]"
LAST_QUICK = "portside-chat .row.assistant .quick"


@pytest.fixture
def page(browser: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """As the browser suite's page, plus: console errors fail the test, and the frames the widget sends are kept."""
    size = getattr(request, "param", None) or {"width": 1280, "height": 860}
    context = browser.new_context(viewport=size, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(tb.REPLY_TIMEOUT)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(msg: Any) -> None:
        where = (msg.location or {}).get("url", "")
        if msg.type == "error" and not where.endswith("/favicon.ico"):  # the demo storefront has no icon
            errors.append(f"console.error: {msg.text} ({where})")

    pg.on("console", console)
    sent: list[dict[str, Any]] = []  # what the widget sent: websocket frames and POST /v1/chat bodies

    def keep(raw: Any) -> None:
        try:
            sent.append(json.loads(raw))
        except (TypeError, ValueError):
            pass

    pg.on("websocket", lambda ws: ws.on("framesent", keep))
    pg.on("request", lambda req: keep(req.post_data) if req.method == "POST" and req.url.endswith("/v1/chat") else None)
    pg.base = server  # type: ignore[attr-defined]
    pg.shot_name = "quick_replies-" + request.node.name.removeprefix("test_")  # type: ignore[attr-defined]
    pg.sent = sent  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# ---------------------------------------------------------------------------------------------------- helpers
def two_item_order(services: Services) -> Order:
    order = scenario_order(services, "low_value")  # delivered 6 days ago, two items (socks and a phone case)
    assert len(order.items) == 2
    return order


def quick(row: Any) -> Any:
    group = row.locator(QUICK)
    assert group.count() == 1, f"no quick replies under the reply: {row.inner_text()!r}"
    return group


def labels(group: Any) -> list[str]:
    texts: list[str] = group.locator("button").all_inner_texts()
    return texts


def values(group: Any) -> list[str]:
    return [b.get_attribute("data-value") or "" for b in group.locator("button").all()]


def messages(page: Any) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = httpx.get(f"{page.base}/v1/sessions/{widget_state(page)['sid']}").json()["messages"]
    return got


def last_assistant(page: Any) -> Any:
    return page.locator("portside-chat .row.assistant:not(.typing-row)").last


def click_and_wait(page: Any, button: Any) -> Any:
    """Click a quick reply; the buttons go at once; returns the next reply's row."""
    before = page.locator("portside-chat .row.assistant:not(.typing-row)").count()
    button.click()
    assert page.locator(LAST_QUICK).count() == 0, "the used buttons stayed"
    wait_idle(page)
    rows = page.locator("portside-chat .row.assistant:not(.typing-row)")
    assert rows.count() > before, "no reply appeared"
    return rows.nth(rows.count() - 1)


def sent_choices(page: Any) -> list[tuple[str, dict[str, str] | None]]:
    return [(f.get("message", ""), f.get("choice")) for f in page.sent if "message" in f]


def reason_codes(services: Services) -> list[str]:
    rp = services.policy.returns
    return [*rp.defect_reasons, *rp.other_reasons]


def active(page: Any) -> dict[str, str] | None:
    """The focused element inside the widget: tag, class, text."""
    got: dict[str, str] | None = page.evaluate("""() => {
        const a = document.querySelector('portside-chat').shadowRoot.activeElement;
        return a ? {tag: a.tagName, cls: a.className, text: a.textContent, outline: getComputedStyle(a).outlineStyle}
                 : null;
    }""")
    return got


# ---------------------------------------------------------------------------------------------------- tests
def test_return_is_answered_with_quick_replies(page: Any, chat_services: Services) -> None:
    order = two_item_order(chat_services)
    names = [i.name for i in order.items]
    visit(page, order.customer_id)
    open_widget(page)
    reply = ask(page, f"I want to return order {order.id}, it arrived damaged")
    group = quick(reply)
    shot(page, "1-items")
    # A named group of real buttons, one per item, in the order's order.
    assert group.get_attribute("aria-label") == "Suggested replies"
    assert labels(group) == names and values(group) == ["1", "2"]
    assert all(b.get_attribute("type") == "button" for b in group.locator("button").all())
    assert group.evaluate("g => getComputedStyle(g).flexWrap") == "wrap"
    # Clicking the second item sends its name, with the choice: the summary of that item's return follows.
    summary = click_and_wait(page, group.locator("button").nth(1))
    shot(page, "2-summary")
    assert page.locator("portside-chat .row.shopper").last.inner_text() == names[1]
    assert sent_choices(page)[-1] == (names[1], {"step": "items", "value": "2"})
    text = summary.locator(".bubble").inner_text()
    assert names[1] in text and names[0] not in text and i18n.t("en", "reason.damaged") in text
    # The confirm step keeps its Confirm / Cancel buttons (no second yes/no row), which now send the choice too.
    assert page.locator(f"portside-chat {QUICK}").count() == 0
    buttons = summary.locator(".confirm button")
    assert buttons.all_inner_texts() == ["Confirm", "Cancel"]
    buttons.nth(0).click()
    wait_idle(page)
    assert sent_choices(page)[-1] == ("yes", {"step": "confirm", "value": "yes"})
    card = page.locator("portside-chat .card.rma")
    card.wait_for()
    shot(page, "3-done")
    assert page.locator(f"portside-chat {QUICK}").count() == 0
    # The transcript reads naturally: the labels, as if typed.
    shopper = [m["text"] for m in messages(page) if m["role"] == "shopper"]
    assert shopper == [f"I want to return order {order.id}, it arrived damaged", names[1], "yes"]


def test_item_then_reason_both_by_button(page: Any, chat_services: Services) -> None:
    """No reason given: a clicked item is only the item; the next question offers the reasons as buttons."""
    order = two_item_order(chat_services)
    visit(page, order.customer_id)
    open_widget(page)
    reply = ask(page, f"I want to return order {order.id}")
    reply = click_and_wait(page, quick(reply).locator("button").nth(1))
    group = quick(reply)
    assert values(group) == reason_codes(chat_services)[:8]
    summary = click_and_wait(page, group.locator("button[data-value='changed_mind']"))
    text = summary.locator(".bubble").inner_text()
    assert order.items[1].name in text and i18n.t("en", "reason.changed_mind") in text


def test_reason_step_by_keyboard(page: Any, chat_services: Services) -> None:
    order = two_item_order(chat_services)
    visit(page, order.customer_id)
    open_widget(page)
    reply = ask(page, f"I want to return item 1 of order {order.id}")
    group = quick(reply)
    codes = values(group)
    assert codes == reason_codes(chat_services)[:8]
    names = labels(group)
    assert names == [button_label(i18n.t("en", f"reason.{v}")) for v in codes]
    # Tab reaches the buttons (from the header's close button, the next stop is the first quick reply).
    page.locator("portside-chat .close").focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        if (active(page) or {}).get("cls") == "btn qr":
            break
    now = active(page)
    assert now and now["tag"] == "BUTTON" and now["text"] == names[0], now
    assert now["outline"] == "solid"  # visible focus
    shot(page, "1-focused")
    # Arrow keys move between the buttons and wrap around; Home and End go to the ends.
    page.keyboard.press("ArrowLeft")
    assert (active(page) or {}).get("text") == names[-1]
    page.keyboard.press("ArrowRight")
    assert (active(page) or {}).get("text") == names[0]
    page.keyboard.press("End")
    assert (active(page) or {}).get("text") == names[-1]
    page.keyboard.press("Home")
    for _ in range(codes.index("wrong_size")):
        page.keyboard.press("ArrowDown")
    assert (active(page) or {}).get("text") == button_label(i18n.t("en", "reason.wrong_size"))
    # Enter activates; focus goes back to the message box.
    page.keyboard.press("Enter")
    assert (active(page) or {}).get("tag") == "TEXTAREA"
    wait_idle(page)
    assert sent_choices(page)[-1] == (button_label(i18n.t("en", "reason.wrong_size")),
                                      {"step": "reason", "value": "wrong_size"})
    summary = last_assistant(page)
    text = summary.locator(".bubble").inner_text()
    assert order.items[0].name in text and i18n.t("en", "reason.wrong_size") in text
    assert summary.locator(".confirm button").count() == 2


def test_labels_follow_the_conversation_language(page: Any, chat_services: Services) -> None:
    order = two_item_order(chat_services)
    visit(page, order.customer_id)
    open_widget(page)
    reply = ask(page, f"Quiero devolver el artículo 2 del pedido {order.id}")
    group = quick(reply)
    shot(page, "1-reasons-es")
    assert group.get_attribute("aria-label") == "Respuestas sugeridas"
    codes = values(group)
    assert codes == reason_codes(chat_services)[:8]
    spanish = [button_label(i18n.t("es", f"reason.{v}")) for v in codes]
    english = [button_label(i18n.t("en", f"reason.{v}")) for v in codes]
    assert labels(group) == spanish and set(spanish).isdisjoint(english)
    # Shift+Tab from the message box reaches the last button; Space activates.
    page.locator("portside-chat textarea").focus()
    page.keyboard.press("Shift+Tab")
    assert (active(page) or {}).get("text") == spanish[-1]
    page.keyboard.press("Home")
    for _ in range(codes.index("wrong_size")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    wait_idle(page)
    assert sent_choices(page)[-1] == (button_label(i18n.t("es", "reason.wrong_size")),
                                      {"step": "reason", "value": "wrong_size"})
    summary = last_assistant(page)
    assert i18n.t("es", "reason.wrong_size") in summary.locator(".bubble").inner_text()
    assert summary.locator(".confirm button").all_inner_texts() == ["Confirmar", "Cancelar"]
    session = httpx.get(f"{page.base}/v1/sessions/{widget_state(page)['sid']}").json()
    assert session["language"] == "es"


@pytest.mark.parametrize("page", [{"width": 360, "height": 740}], indirect=True)
def test_phone_without_websockets(page: Any, chat_services: Services) -> None:
    """WebSockets blocked: choices go with POST /v1/chat. A typed answer removes the buttons at once. On a phone the
    buttons wrap inside the screen."""
    page.add_init_script("window.WebSocket = function () { throw new Error('blocked'); };")
    order = two_item_order(chat_services)
    visit(page, order.customer_id)
    open_widget(page)
    quick(ask(page, f"I want to return order {order.id}, it arrived damaged"))
    box = page.locator("portside-chat textarea")
    box.fill("the phone case")
    assert page.locator(LAST_QUICK).count() == 1  # typing alone keeps them
    box.press("Enter")
    assert page.locator(LAST_QUICK).count() == 0  # sending something else removes them
    wait_idle(page)
    assert sent_choices(page)[-1] == ("the phone case", None)
    summary = last_assistant(page)
    assert order.items[1].name in summary.locator(".bubble").inner_text()
    summary.locator(".confirm button").nth(1).click()  # Cancel
    wait_idle(page)
    assert sent_choices(page)[-1] == ("no", {"step": "confirm", "value": "no"})
    # The reasons: seven buttons on several rows, inside the phone-width panel, no horizontal scrolling.
    group = quick(ask(page, f"I want to return item 1 of order {order.id}"))
    shot(page, "1-reasons-phone")
    boxes = [b.bounding_box() for b in group.locator("button").all()]
    assert len(boxes) >= 5 and all(boxes)
    assert len({round(b["y"]) for b in boxes if b}) > 1
    assert all(b and b["x"] >= 0 and b["x"] + b["width"] <= 360 for b in boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("""() => {
        const log = document.querySelector('portside-chat').shadowRoot.querySelector('.log');
        return log.scrollWidth <= log.clientWidth;
    }""")
    summary = click_and_wait(page, group.locator("button[data-value='wrong_size']"))
    assert sent_choices(page)[-1] == (button_label(i18n.t("en", "reason.wrong_size")),
                                      {"step": "reason", "value": "wrong_size"})
    assert not page.sent or all("type" not in f for f in page.sent)  # all of it over HTTP
    assert summary.locator(".confirm button").count() == 2


@pytest.mark.parametrize("page", [{"width": 360, "height": 740}], indirect=True)
def test_arabic_is_right_to_left(page: Any, chat_services: Services) -> None:
    order = two_item_order(chat_services)
    visit(page, order.customer_id)
    open_widget(page)
    group = quick(ask(page, f"أريد إرجاع الطلب {order.id}"))
    shot(page, "1-items-ar")
    assert group.get_attribute("aria-label") == "ردود مقترحة"
    assert labels(group) == [i.name for i in order.items]
    assert shadow_style(page, ".quick", "direction") == "rtl"
    # Right to left: the first button sits at the right, the next to its left.
    first, second = (b.bounding_box() for b in group.locator("button").all())
    assert first and second and abs(first["y"] - second["y"]) < 2 and second["x"] + second["width"] <= first["x"]
    assert first["x"] + first["width"] <= 360
    # Arrow keys follow the reading direction: ArrowLeft is the next button.
    group.locator("button").first.focus()
    page.keyboard.press("ArrowLeft")
    assert (active(page) or {}).get("text") == order.items[1].name
    page.keyboard.press("ArrowRight")
    assert (active(page) or {}).get("text") == order.items[0].name
    page.keyboard.press("Enter")
    wait_idle(page)
    assert sent_choices(page)[-1] == (order.items[0].name, {"step": "items", "value": "1"})
    assert last_assistant(page).locator(".confirm button, .quick button").count() >= 2  # the next question


def test_buttons_come_back_after_a_reload(page: Any, chat_services: Services) -> None:
    """The widget draws the buttons again from the history's last reply (GET /v1/sessions/{id} lists its `ask`)."""
    order = two_item_order(chat_services)
    visit(page, order.customer_id)
    open_widget(page)
    reply = ask(page, f"I want to return item 1 of order {order.id}")
    offered = labels(quick(reply))
    stored = chat_services.conversations.transcript(widget_state(page)["sid"])[-1].as_json().get("ask")
    assert stored and [c["label"] for c in stored["choices"]] == offered  # what the history endpoint returns
    page.reload()
    page.locator(f"portside-chat .hist .row.assistant {QUICK}").wait_for(state="attached")
    open_widget(page)
    shot(page, "1-after-reload")
    assert page.locator(f"portside-chat {QUICK}").count() == 1
    group = quick(page.locator("portside-chat .hist .row.assistant").last)
    assert labels(group) == offered and group.get_attribute("aria-label") == "Suggested replies"
    summary = click_and_wait(page, group.locator("button[data-value='changed_mind']"))
    assert sent_choices(page)[-1] == (button_label(i18n.t("en", "reason.changed_mind")),
                                      {"step": "reason", "value": "changed_mind"})
    assert summary.locator(".confirm button").count() == 2


def test_labels_are_text_not_html(page: Any) -> None:
    """Labels come from the store (item names): a hostile one is shown as text, never run."""
    hostile = '<img src=x onerror="window.__xss=1">Socks & "co"'

    def route(ws: Any) -> None:
        srv = ws.connect_to_server()

        def down(message: Any) -> None:
            frame = json.loads(message)
            if frame.get("type") == "reply":
                frame["ask"] = {"intent": "return_request", "step": "items",
                                "choices": [{"label": hostile, "value": "1"}, {"label": "<b>2</b>", "value": "2"}]}
            ws.send(json.dumps(frame))

        srv.on_message(down)

    page.route_web_socket(re.compile(r".*/v1/chat/ws.*"), route)
    visit(page)
    open_widget(page)
    group = quick(ask(page, "Hello!"))
    assert labels(group) == [hostile, "<b>2</b>"]
    assert group.locator("img, b").count() == 0
    assert page.evaluate("window.__xss") is None
