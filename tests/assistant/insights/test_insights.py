"""The insights against a seeded history whose answers are known: resolution, handoff reasons, business-hours
response times, CSAT by language and intent, the reason × product and reason × country tables, gap clusters."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from assistant.api.app import create_app
from assistant.insights.business_time import business_seconds
from assistant.insights.compute import compute
from assistant.insights.model import Filters
from assistant.insights.report import render_html
from assistant.policy.config import BusinessHours
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.conftest import NOW, STAFF_TOKEN

pytestmark = pytest.mark.both_databases
WEEK = Filters(since=NOW - timedelta(days=7), until=NOW)
HOURS = BusinessHours(timezone="UTC", days=["mon", "tue", "wed", "thu", "fri"], start="08:00", end="20:00")
FRI_EVENING = datetime(2026, 11, 20, 19, 30, tzinfo=NOW.tzinfo)  # NOW is Thursday 2026-11-26 12:00 UTC


def session(conn: Any, sid: str, at: datetime, lang: str, customer: str | None, *, csat: int | None = None,
            until: datetime | None = None, messages: list[tuple[str, str, str | None, float | None, dict]]) -> None:
    conn.execute(insert(t.sessions).values(id=sid, created_at=at, updated_at=until or at, language=lang,
                                           customer_id=customer, status="bot", state={}, csat=csat, client="web"))
    for i, (role, text, intent, confidence, meta) in enumerate(messages):
        conn.execute(insert(t.messages).values(session_id=sid, role=role, text=text, language=lang, intent=intent,
                                               confidence=confidence, created_at=at + timedelta(minutes=i),
                                               meta=meta))


def handoff(conn: Any, hid: str, sid: str, reason: str, at: datetime, resolved: datetime | None = None) -> None:
    conn.execute(insert(t.handoffs).values(
        id=hid, session_id=sid, reason=reason, priority="normal", state="resolved" if resolved else "open",
        language="en", summary="s", packet={}, created_at=at, updated_at=resolved or at, resolved_at=resolved))


def rma(conn: Any, rid: str, *, reason: str, country: str, items: list[dict], amount: float, currency: str,
        status: str, required: bool, at: datetime, decided: datetime | None = None,
        session_id: str | None = None) -> None:
    conn.execute(insert(t.returns).values(
        rma_id=rid, idem_key=rid, kind="return", session_id=session_id, order_id=f"O-{rid}", customer_id="c",
        country=country, items=items, reason=reason, eligible=status != "rejected", reason_code="ok",
        refund_amount=amount, currency=currency, refund_method="original", return_required=required, fee=0,
        hub=None, status=status, detail={}, decided_by="ana" if decided else None, created_at=at,
        updated_at=decided or at))


@pytest.fixture
def history(chat_services: Services) -> dict[str, str]:
    store = chat_services.store
    a, b, c = (store.get_customer(f"cus_00{i}") for i in (1, 2, 3))
    assert a and b and c and len({a.country, b.country, c.country}) >= 2
    cite = {"citations": [{"doc_id": "faq"}]}
    with chat_services.engine.begin() as conn:
        session(conn, "s1", NOW - timedelta(days=6), "en", a.id, csat=5, messages=[
            ("shopper", "Where is my order?", "order_status", 0.9, {}), ("assistant", "On its way", None, None, {})])
        # The same shopper is back a day later: s1 was not resolved after all.
        session(conn, "s2", NOW - timedelta(days=5), "en", a.id, messages=[
            ("shopper", "Still no parcel, where is it?", "order_status", 0.9, {})])
        session(conn, "s3", NOW - timedelta(days=4), "es", None, messages=[
            ("shopper", "¿Venden tarjetas de regalo?", "other", 0.3, {}), ("assistant", "?", None, None, {}),
            ("shopper", "Can I pay with crypto?", "policy_question", 0.8, {}), ("assistant", "…", None, None, {}),
            ("shopper", "How long does shipping to Chile take?", "policy_question", 0.9, {}),
            ("assistant", "7 days", None, None, cite)])
        session(conn, "s4", FRI_EVENING - timedelta(minutes=5), "pt", b.id, csat=2,
                until=FRI_EVENING + timedelta(days=3), messages=[
                    ("shopper", "Quero devolver o drone", "return_request", 0.9, {})])
        handoff(conn, "h4", "s4", "refund_approval", FRI_EVENING, resolved=datetime(2026, 11, 23, 10, 0,
                                                                                     tzinfo=NOW.tzinfo))
        conn.execute(insert(t.messages).values(session_id="s4", role="staff", text="Olá", language="pt",
                                               created_at=datetime(2026, 11, 23, 8, 30, tzinfo=NOW.tzinfo),
                                               meta={}))
        session(conn, "s5", NOW - timedelta(days=2), "en", c.id, messages=[
            ("shopper", "Do you sell gift cards?", "other", 0.4, {}), ("assistant", "?", None, None, {}),
            ("shopper", "I want a person", "human_agent", 0.9, {})])
        handoff(conn, "h5", "s5", "customer_request", NOW - timedelta(days=2))
        session(conn, "s6", NOW - timedelta(days=9), "en", c.id, messages=[  # before the period
            ("shopper", "do you have gift cards for sale", "other", 0.2, {})])
        rma(conn, "R1", reason="too_big", country=b.country, items=[{"sku": "DRONE-1", "quantity": 1}], amount=100,
            currency="BRL", status="approved", required=True, at=FRI_EVENING,
            decided=FRI_EVENING + timedelta(hours=5), session_id="s4")
        rma(conn, "R2", reason="defective", country="MX", items=[{"sku": "SOCK-3", "quantity": 2}], amount=10,
            currency="USD", status="approved", required=False, at=NOW - timedelta(days=1))
        rma(conn, "R3", reason="too_big", country="MX", items=[{"sku": "DRONE-1", "quantity": 1}], amount=50,
            currency="USD", status="rejected", required=True, at=NOW - timedelta(days=1),
            decided=NOW - timedelta(hours=20))
    return {"a": a.country, "b": b.country, "c": c.country}


def test_business_time_skips_nights_and_weekends() -> None:
    monday = datetime(2026, 11, 23, 8, 30, tzinfo=NOW.tzinfo)
    assert business_seconds(FRI_EVENING, monday, HOURS) == 60 * 60  # 30 min Friday + 30 min Monday
    assert business_seconds(monday, FRI_EVENING, HOURS) == 0
    tokyo = HOURS.model_copy(update={"timezone": "Asia/Tokyo"})  # 08:00 Tokyo is 23:00 UTC the day before
    assert business_seconds(datetime(2026, 11, 23, 22, 0, tzinfo=NOW.tzinfo),
                            datetime(2026, 11, 23, 23, 30, tzinfo=NOW.tzinfo), tokyo) == 30 * 60


def test_numbers_match_the_seeded_history(chat_services: Services, history: dict[str, str]) -> None:
    report = compute(chat_services, WEEK)
    c = report.conversations
    assert c.conversations == 5  # s6 is before the period
    assert c.automated_resolution == pytest.approx(2 / 5)  # s2 and s3: s1 was reopened, s4 and s5 handed off
    assert c.handoff_rate == pytest.approx(2 / 5)
    assert c.handoffs_by_reason == {"refund_approval": 1, "customer_request": 1}
    assert c.median_first_response_minutes == 60  # Friday 19:30 → Monday 08:30 is one business hour
    assert c.median_resolution_minutes == 150
    assert c.csat_by_language == {"en": 5, "pt": 2} and c.csat_by_intent == {"order_status": 5, "return_request": 2}

    r = report.returns
    assert r.returns == 3
    assert r.by_reason_product == {"defective": {"SOCK-3": 2}, "too_big": {"DRONE-1": 2}}
    assert r.by_reason_country == {"defective": {"MX": 1}, "too_big": ({history["b"]: 1, "MX": 1}
                                                                      if history["b"] != "MX" else {"MX": 2})}
    assert r.refund_value_usd == pytest.approx(chat_services.policy.to_usd(100, "BRL") + 10, abs=0.01)
    assert r.refund_without_return_share == pytest.approx(1 / 2)  # of the two approved returns
    assert r.median_approval_hours == 5  # R3 was rejected: not an approval

    # Gaps: the gift-card question in Spanish and English is one group; crypto another; the cited answer is none.
    groups = [sorted(s.text for s in g.samples) for g in report.gaps]
    assert groups[0] == ["Do you sell gift cards?", "¿Venden tarjetas de regalo?"] and report.gaps[0].count == 2
    assert ["Can I pay with crypto?"] in groups and len(groups) == 2
    assert report.gaps[0].gloss == "Do you sell gift cards?" and report.gaps[0].closest_card

    days = report.intents_over_time.days
    assert len(days) == 8 and sum(sum(v) for v in report.intents_over_time.counts.values()) == 5
    assert report.languages_over_time.counts["en"][days.index((NOW - timedelta(days=6)).date().isoformat())] == 1


def test_filters_change_the_numbers(chat_services: Services, history: dict[str, str]) -> None:
    english = compute(chat_services, WEEK.model_copy(update={"language": "en"}), gaps=False)
    assert english.conversations.conversations == 3 and english.conversations.handoffs_by_reason == {
        "customer_request": 1}
    portuguese = compute(chat_services, WEEK.model_copy(update={"language": "pt"}), gaps=False)
    assert portuguese.returns.returns == 1 and portuguese.conversations.csat_by_language == {"pt": 2}
    mexico = compute(chat_services, WEEK.model_copy(update={"country": "MX"}), gaps=False)
    too_big = 2 if history["b"] == "MX" else 1
    assert mexico.returns.by_reason_country == {"defective": {"MX": 1}, "too_big": {"MX": too_big}}


async def test_the_api_and_the_html_report(chat_services: Services, history: dict[str, str]) -> None:
    app = create_app(services=chat_services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/v1/insights")).status_code == 401
        auth = {"Authorization": f"Bearer {STAFF_TOKEN}"}
        body = (await client.get("/v1/insights", params={"since": "7d", "gaps": "false"}, headers=auth)).json()
        assert body["conversations"]["conversations"] == 5 and body["gaps"] == []
        bad = await client.get("/v1/insights", params={"since": "last week"}, headers=auth)
        assert bad.status_code == 422
        backwards = await client.get("/v1/insights", params={"since": "1d", "until": "3d"}, headers=auth)
        assert backwards.status_code == 422
    page = render_html(compute(chat_services, WEEK))
    from plotly.offline import get_plotlyjs

    assert get_plotlyjs() in page  # the library inline: the file opens with no network
    ours = page.replace(get_plotlyjs(), "")
    assert "<script src" not in ours and "cdn.plot.ly" not in ours
    assert page.count('class="chart"') == 7 and "¿Venden tarjetas de regalo?" in page and "40%" in page


def test_report_command_writes_html_and_json(chat_services: Services, history: dict[str, str],
                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import os
    import subprocess
    import sys

    s = chat_services.settings
    env = {**os.environ, "PORTSIDE_HOME": str(s.home), "PORTSIDE_NOW": NOW.isoformat(),
           "PORTSIDE_DATABASE_URL": s.resolved_database_url, "COLUMNS": "200"}
    cli = [sys.executable, "-m", "assistant.cli.main", "report"]
    done = subprocess.run([*cli, "--since", "7d", "--html", str(tmp_path / "r.html"), "--json",
                           str(tmp_path / "r.json")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Automated resolution" in done.stdout and "40%" in done.stdout
    assert json.loads((tmp_path / "r.json").read_text())["conversations"]["conversations"] == 5
    assert "Handoffs by reason" in (tmp_path / "r.html").read_text()
    bad = subprocess.run([*cli, "--since", "yesterday-ish"], env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
