"""Which changes notify, stalled parcels by route, the stuck list in Slack, the CLI, and the daily digest once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from assistant.policy.config import TrackingPolicy
from assistant.runtime import Services
from assistant.slack import ops
from assistant.tracking.notices import needs_person, notice_for
from assistant.tracking.service import origin_country
from assistant.tracking.stuck import split_filter, stuck_parcels, stuck_text
from connectors.sql import schema as store_schema
from tests.conftest import NOW

POLICY = TrackingPolicy()


@pytest.mark.parametrize(("before", "after", "duties", "expected"), [
    ("in_transit", "customs_hold", True, "customs_hold"),
    ("in_transit", "customs_hold", False, None),  # customs alone is routine: only unpaid duties are news
    ("customs_hold", "customs_hold", True, "customs_hold"),  # duties found due later (deduped downstream)
    ("in_transit", "delivery_failed", False, "delivery_failed"),
    ("in_transit", "returned_to_sender", False, "returned_to_sender"),
    ("in_transit", "lost", False, "lost"),
    ("in_transit", "out_for_delivery", False, None),
    ("lost", "lost", False, None),
])
def test_which_changes_notify(before: str, after: str, duties: bool, expected: str | None) -> None:
    assert notice_for(before, after, duties, POLICY) == expected


def test_the_policy_decides_what_notifies_and_what_goes_to_a_person() -> None:
    quiet = TrackingPolicy(notify=["lost"], handoff=[])
    assert notice_for("in_transit", "delivery_failed", False, quiet) is None
    assert needs_person("lost", quiet) is None and needs_person("lost", POLICY) == "lost_parcel"


def test_stall_thresholds_by_route() -> None:
    policy = TrackingPolicy(stalled_days={"default": 7, "BR": 12, "CN>US": 9})
    assert policy.stalled_after("CN", "BR") == 12 and policy.stalled_after("CN", "US") == 9
    assert policy.stalled_after("CN", "DE") == 7 and origin_country("Shenzhen, CN") == "CN"


def age_all_scans(services: Services, days: int) -> None:
    """Move every open shipment's scans `days` into the past."""
    with services.engine.begin() as conn:
        rows = conn.execute(store_schema.shipments.select()).mappings().all()
        for row in rows:
            events = [{**e, "at": (NOW - timedelta(days=days)).isoformat()} for e in row["events"]]
            conn.execute(update(store_schema.shipments).where(store_schema.shipments.c.tracking_number ==
                                                              row["tracking_number"]).values(events=events))


def test_stuck_parcels_by_country_and_carrier(demo_services: Services) -> None:
    assert all(r.days >= 7 for r in stuck_parcels(demo_services.tracking))
    age_all_scans(demo_services, 30)
    rows = stuck_parcels(demo_services.tracking)
    assert rows and all(r.days == 30 and r.status not in {"delivered", "lost", "returned_to_sender"} for r in rows)
    one = rows[0]
    assert {r.country for r in stuck_parcels(demo_services.tracking, country=one.country)} == {one.country}
    assert {r.carrier for r in stuck_parcels(demo_services.tracking, carrier=one.carrier)} == {one.carrier}
    text = ops.answer(demo_services, f"stuck {one.country}")
    assert one.tracking_number in text and "30 days since the last scan" in text
    assert split_filter("br") == ("BR", None) and split_filter("Correios") == (None, "Correios")
    assert stuck_text([]).startswith("No stuck parcels")


def test_cli_lists_stuck_parcels(demo_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli.main import app

    age_all_scans(demo_services, 20)
    monkeypatch.setenv("PORTSIDE_HOME", str(demo_services.settings.home))
    monkeypatch.setenv("PORTSIDE_NOW", NOW.isoformat())
    result = CliRunner().invoke(app, ["tracking", "stuck"])
    assert result.exit_code == 0, result.output
    assert "stuck parcel(s)" in result.output and "20" in result.output
    bad = CliRunner().invoke(app, ["tracking", "register"])
    assert bad.exit_code != 0 and "no tracker configured" in f"{bad.output}{bad.exception}"
