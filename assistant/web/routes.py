"""Serves widget.js (embeddable on any page) and, in demo mode, a small storefront that embeds it."""

from __future__ import annotations

import html
import json
from importlib import resources

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from assistant.identity import issue_token
from connectors.models import Customer

router = APIRouter(include_in_schema=False)
DEMO_CUSTOMERS = 12


def _static(name: str) -> str:
    return resources.files("assistant.web").joinpath("static", name).read_text(encoding="utf-8")


@router.get("/widget.js")
def widget_js() -> Response:
    return Response(_static("widget.js"), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})


@router.get("/")
def storefront(request: Request, as_: str | None = Query(default=None, alias="as"),
               lang: str | None = Query(default=None)) -> Response:
    services = request.app.state.services
    if not services.settings.demo_storefront:
        return HTMLResponse("<h1>Portside</h1><p>API at <a href='/docs'>/docs</a>.</p>")
    customers = services.store.list_customers(limit=200)
    by_country: dict[str, Customer] = {}
    for c in customers:  # one shopper per country keeps the picker short
        by_country.setdefault(c.country, c)
    shown = list(by_country.values())[:DEMO_CUSTOMERS * 2]
    current = next((c for c in customers if c.id == as_), None)
    if current is not None and current not in shown:
        shown.insert(0, current)  # the picker must show who is signed in
    token = issue_token(current.id, services.settings.widget_secret) if current else ""
    language = lang or (current.language if current else "")
    options = "\n".join(
        f'<option value="{html.escape(c.id)}"{" selected" if current and c.id == current.id else ""}>'
        f"{html.escape(c.name)} ({c.country}, {c.language})</option>" for c in shown)
    page = (_static("storefront.html")
            .replace("{{CUSTOMER_OPTIONS}}", options)
            .replace("{{CUSTOMER_TOKEN}}", html.escape(token))
            .replace("{{LANGUAGE}}", html.escape(language))
            .replace("{{SIGNED_IN}}", html.escape(current.name if current else ""))
            .replace("{{DEMO_JSON}}", html.escape(json.dumps({"signed_in": bool(current)}))))
    return HTMLResponse(page)
