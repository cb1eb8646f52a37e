"""`portside sync` and `portside connect --check` as a merchant runs them, against the fakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.platform.sync import backfill
from assistant.runtime import Services
from assistant.settings import Settings
from tests.conftest import NOW
from tests.fakes.shopify import DEFAULT_TOKEN, FakeShopify
from tests.fakes.woocommerce import FakeWooCommerce


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PORTSIDE_HOME": str(home), "PORTSIDE_NOW": NOW.isoformat(), "COLUMNS": "200", **env}
    return subprocess.run([sys.executable, "-m", "assistant.cli.main", *args], capture_output=True, text=True,
                          env=full, timeout=120)


def shopify_env(shop: FakeShopify, token: str = DEFAULT_TOKEN) -> dict[str, str]:
    return {"PORTSIDE_STORE": "shopify", "PORTSIDE_SHOPIFY_SHOP": shop.shop_domain, "PORTSIDE_SHOPIFY_TOKEN": token,
            "PORTSIDE_SHOPIFY_API_URL": shop.graphql_url, "PORTSIDE_SHOPIFY_WEBHOOK_SECRET": "s"}


def seed(shop: FakeShopify, n: int) -> None:
    ana = shop.add_customer(email="ana@example.com", first_name="Ana", last_name="Lima")
    shirt = shop.add_product(title="Linen shirt", price="49.90", sku="LS-1")
    for _ in range(n):
        shop.add_order(customer=ana, line_items=[{"variant": shirt.variants[0], "quantity": 1}])


def test_sync_resumes_after_an_interruption(tmp_path: Path) -> None:
    with FakeShopify(now=lambda: NOW) as shop:
        seed(shop, 12)
        settings = Settings(home=tmp_path / "home", now=NOW, store="shopify", shopify_shop=shop.shop_domain,
                            shopify_token=DEFAULT_TOKEN, shopify_api_url=shop.graphql_url,
                            _env_file=None)  # type: ignore[call-arg]
        services = Services(settings)
        services.platform.client.budget = 1.0  # type: ignore[attr-defined]
        try:
            def outage_after_first_page(n: int) -> None:
                shop.fail_next(1000, status=503)

            from connectors.writes import PlatformUnavailable

            with pytest.raises(PlatformUnavailable):
                backfill(services, progress=outage_after_first_page)
            assert services.store.counts()["orders"] == 5
            shop._failures.clear()
            services.platform.client.budget = 30  # type: ignore[attr-defined]  # the bucket refills meanwhile
            requests_before = len(shop.requests)
            resumed = backfill(services)
            assert resumed.resumed_from is not None and resumed.orders == 7  # the first page is not read again
            assert len(shop.requests) - requests_before == 2
            assert services.store.counts()["orders"] == 12
            again = backfill(services)  # a finished sync starts over and changes nothing
            assert again.resumed_from is None and again.orders == 12 and again.report.orders.unchanged == 12
        finally:
            services.close()


def test_sync_and_check_from_the_command_line(tmp_path: Path) -> None:
    with FakeShopify(now=lambda: NOW) as shop:
        seed(shop, 7)
        env = shopify_env(shop)
        synced = run(["sync", "shopify", "--since", "2026-01-01"], tmp_path, **env)
        assert synced.returncode == 0, synced.stderr
        assert "synced 7 orders in 2 pages: 7 new" in synced.stdout
        checked = run(["connect", "shopify", "--check"], tmp_path, **env)
        assert checked.returncode == 0 and "everything Portside needs works" in checked.stdout
    with FakeShopify(tokens={"shpat_ro": {"read_orders"}}) as shop:
        limited = run(["connect", "shopify", "--check"], tmp_path, **shopify_env(shop, "shpat_ro"))
        assert limited.returncode == 1 and "write_returns" in limited.stdout and "missing" in limited.stderr


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    sql = run(["sync", "shopify"], tmp_path)
    assert sql.returncode == 1 and "PORTSIDE_STORE" in sql.stderr and "Traceback" not in sql.stderr
    unknown = run(["sync", "magento"], tmp_path)
    assert unknown.returncode == 1 and "unknown store platform" in unknown.stderr
    with FakeShopify() as shop:
        bad_date = run(["sync", "shopify", "--since", "last week"], tmp_path, **shopify_env(shop))
        assert bad_date.returncode == 1 and "--since" in bad_date.stderr
        nothing = run(["connect", "shopify"], tmp_path, **shopify_env(shop))
        assert nothing.returncode == 1 and "--check" in nothing.stderr
    wrong = run(["connect", "shopify", "--check"], tmp_path, PORTSIDE_STORE="shopify")
    assert wrong.returncode == 1 and "PORTSIDE_SHOPIFY_SHOP" in wrong.stderr and "Traceback" not in wrong.stderr


def test_woocommerce_check_names_a_read_only_key(tmp_path: Path) -> None:
    with FakeWooCommerce() as woo:
        woo.add_api_key("ck_ro", "cs_ro", "read")
        env = {"PORTSIDE_STORE": "woocommerce", "PORTSIDE_WOO_URL": woo.url, "PORTSIDE_WOO_KEY": "ck_ro",
               "PORTSIDE_WOO_SECRET": "cs_ro", "PORTSIDE_WOO_WEBHOOK_SECRET": "s"}
        checked = run(["connect", "woocommerce", "--check"], tmp_path, **env)
        assert checked.returncode == 1 and "Read/Write" in checked.stdout
