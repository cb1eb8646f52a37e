"""The staff dashboard at /staff: a login with a staff token (kept as a signed, HttpOnly session cookie), then the
insights page; its charts are drawn by plotly from /v1/insights, with plotly's JavaScript served from here, so it
works with no outside network."""

from __future__ import annotations

from functools import cache
from importlib import resources
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from plotly.offline import get_plotlyjs

from assistant.staff import cookies

router = APIRouter(include_in_schema=False)
MAX_FORM = 4096


def _static(name: str) -> str:
    return resources.files("assistant.web").joinpath("static", name).read_text(encoding="utf-8")


@cache
def _plotly() -> str:
    return get_plotlyjs()


def _actor(request: Request) -> object | None:
    services = request.app.state.services
    digest = cookies.verify(services.settings.widget_secret, request.cookies.get(cookies.NAME, ""),
                            services.clock.now())
    actor = services.staff_tokens.by_digest(digest) if digest else None
    return actor if actor is not None and actor.can("read") else None


def _login_page(message: str = "", status: int = 401) -> HTMLResponse:
    return HTMLResponse(_static("staff_login.html").replace("{{message}}", message), status_code=status)


@router.get("/staff")
def dashboard(request: Request) -> Response:
    if _actor(request) is None:
        return _login_page()
    return HTMLResponse(_static("staff.html"), headers={"Cache-Control": "no-store"})


@router.post("/staff/login")
async def login(request: Request) -> Response:
    body = await request.body()
    token = (parse_qs(body[:MAX_FORM].decode("utf-8", "replace")).get("token") or [""])[0].strip()
    services = request.app.state.services
    actor = services.staff_tokens.authenticate(token) if token else None
    if actor is None or not actor.can("read"):
        return _login_page("<p class=\"error\" role=\"alert\">That token is not valid for the dashboard.</p>")
    services.audit.record(actor, "staff.login", None, channel="dashboard")
    response = RedirectResponse("/staff", status_code=303)
    response.set_cookie(cookies.NAME, cookies.issue(services.settings.widget_secret, token, services.clock.now()),
                        max_age=cookies.HOURS * 3600, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


@router.post("/staff/logout")
def logout() -> Response:
    response = RedirectResponse("/staff", status_code=303)
    response.delete_cookie(cookies.NAME, path="/")
    return response


@router.get("/staff/assets/plotly.js")
def plotly_js() -> Response:
    return Response(_plotly(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/staff/assets/dashboard.js")
def dashboard_js() -> Response:
    return Response(_static("staff.js"), media_type="application/javascript", headers={"Cache-Control": "no-cache"})
