"""The staff dashboard in real Chromium against a seeded history: a login first (401 without it), charts drawn
with no console errors and no request beyond the server, filters that change the numbers, usable on a phone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assistant.runtime import Services
from tests.assistant.insights.test_insights import history  # noqa: F401 - the seeded history fixture
from tests.conftest import STAFF_TOKEN
from tests.web.test_browser import browser, server, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def kpi(page: Any, name: str) -> str:
    return str(page.locator(f'.kpi[data-kpi="{name}"] b').inner_text())


def open_dashboard(browser: Any, server: str, size: dict[str, int]) -> tuple[Any, Any, list[str], list[str]]:  # noqa: F811
    context = browser.new_context(viewport=size, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(server) else None)
    page.shot_name = "staff-dashboard"
    page.goto(f"{server}/staff")  # the login page, answered 401 (which the console reports)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.fill("#token", STAFF_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-loaded]")
    return context, page, problems, outside


def test_without_a_login_there_is_no_data(server: str, history: dict[str, str]) -> None:  # noqa: F811
    r = httpx.get(f"{server}/staff")
    assert r.status_code == 401 and 'name="token"' in r.text and "Conversations" not in r.text
    assert httpx.get(f"{server}/v1/insights").status_code == 401
    bad = httpx.post(f"{server}/staff/login", content="token=wrong",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 401 and "not valid" in bad.text
    forged = httpx.get(f"{server}/v1/insights", cookies={"portside_staff": "a" * 64 + ".9999999999.deadbeef"})
    assert forged.status_code == 401


def test_dashboard_renders_and_filters(browser: Any, server: str, chat_services: Services,  # noqa: F811
                                       history: dict[str, str]) -> None:  # noqa: F811
    context, page, problems, outside = open_dashboard(browser, server, {"width": 1280, "height": 900})
    assert kpi(page, "Conversations") == "5" and kpi(page, "Automated resolution") == "40%"
    assert kpi(page, "Median first response") == "60 min"
    assert page.locator(".chart .main-svg").count() >= 7  # plotly drew every chart
    assert page.locator("#gaps tr").count() == 2 and "tarjetas de regalo" in page.locator("#gaps").inner_text()
    shot(page, "desktop")

    page.select_option("select[name=language]", "en")
    page.click("#filters button[type=submit]")
    page.wait_for_selector('body[data-loaded="since=7d&language=en"]')
    assert kpi(page, "Conversations") == "3"
    page.select_option("select[name=language]", "")
    page.fill("input[name=country]", "MX")
    page.click("#filters button[type=submit]")
    page.wait_for_selector('body[data-loaded="since=7d&country=MX"]')
    assert kpi(page, "Returns") == ("3" if history["b"] == "MX" else "2")
    assert not problems, problems
    assert not outside, outside  # plotly and everything else come from Portside
    assert [e["action"] for e in chat_services.audit.entries(action="staff.login")] == ["staff.login"]
    context.close()


def test_dashboard_fits_a_phone(browser: Any, server: str, history: dict[str, str]) -> None:  # noqa: F811
    context, page, problems, _ = open_dashboard(browser, server, {"width": 390, "height": 844})
    assert kpi(page, "Conversations") == "5"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "phone")
    assert not problems, problems
    context.close()
