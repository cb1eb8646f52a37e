"""`portside staff token`, `portside privacy export|erase` and `portside audit` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.runtime import Services

pytestmark = pytest.mark.both_databases


def run(services: Services, *args: str) -> subprocess.CompletedProcess[str]:
    s = services.settings
    env = {**os.environ, "PORTSIDE_HOME": str(s.home), "PORTSIDE_NOW": s.now.isoformat(),  # type: ignore[union-attr]
           "PORTSIDE_DATABASE_URL": s.resolved_database_url, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "assistant.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_tokens_export_erase_and_the_audit_trail(demo_services: Services, tmp_path: Path) -> None:
    created = run(demo_services, "staff", "token", "create", "ana", "--scope", "read,act")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("pst_") and demo_services.staff_tokens.authenticate(token) is not None
    listed = run(demo_services, "staff", "token", "list")
    assert "ana" in listed.stdout and token not in listed.stdout
    assert run(demo_services, "staff", "token", "create", "bob", "--scope", "root").returncode == 2

    customer = demo_services.store.get_customer("cus_001")
    assert customer is not None
    out = tmp_path / "export.json"
    exported = run(demo_services, "privacy", "export", "--email", customer.email.upper(), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    doc = json.loads(out.read_text())
    assert doc["customer"]["id"] == "cus_001" and doc["orders"]

    assert run(demo_services, "privacy", "export").returncode == 2  # who?
    assert run(demo_services, "privacy", "erase", "--customer", "cus_001").returncode != 0  # not confirmed
    erased = run(demo_services, "privacy", "erase", "--customer", "cus_001", "--yes")
    assert erased.returncode == 0 and "erased" in erased.stdout
    assert run(demo_services, "privacy", "export", "--email", customer.email).returncode == 1
    assert run(demo_services, "staff", "token", "revoke", "ana").returncode == 0
    assert demo_services.staff_tokens.authenticate(token) is None

    trail = json.loads(run(demo_services, "audit", "--json").stdout)
    actions = [e["action"] for e in trail]
    assert actions == ["staff.token_create", "privacy.export", "privacy.erase", "staff.token_revoke"]
    assert all(e["actor"].startswith("cli:") and e["channel"] == "cli" for e in trail)
    assert customer.email not in json.dumps(trail)
    assert run(demo_services, "audit", "--since", "last tuesday").returncode == 2


def test_requests_are_listed_and_decided_from_the_terminal(demo_services: Services) -> None:
    with demo_services.engine.begin() as conn:
        row = demo_services.privacy.open(conn, source="shopify", kind="data_request", country="BR",
                                         customer_ref="gid://shopify/Customer/7", email="x@example.com")
    listed = run(demo_services, "privacy", "requests")
    assert listed.returncode == 0 and row["id"] in listed.stdout and "LGPD" in listed.stdout
    assert run(demo_services, "privacy", "requests", "--state", "lost").returncode == 2
    no_reason = run(demo_services, "privacy", "refuse", row["id"])
    assert no_reason.returncode == 1 and "reason" in no_reason.stdout + no_reason.stderr
    refused = run(demo_services, "privacy", "refuse", row["id"], "--reason", "not a customer of this shop")
    assert refused.returncode == 0 and "refused" in refused.stdout
    assert run(demo_services, "privacy", "fulfil", "pr_nope").returncode == 1
    assert row["id"] not in run(demo_services, "privacy", "requests").stdout  # only open ones by default


def test_the_retention_job_runs_only_with_a_window(demo_services: Services) -> None:
    from assistant.api.app import background_jobs

    assert "privacy.retention" not in [j.name for j in background_jobs(demo_services, slack=False).jobs]
    demo_services.settings.retention_days = 30
    assert "privacy.retention" in [j.name for j in background_jobs(demo_services, slack=False).jobs]
