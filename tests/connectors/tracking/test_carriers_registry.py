"""The carrier map file and the tracker registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.tracking.aftership import AfterShipTracker
from connectors.tracking.carriers import default_carriers, load_carriers
from connectors.tracking.registry import make_tracker, registered
from connectors.tracking.seventeentrack import SeventeenTrackTracker

BRIEFED = [
    "Correios", "Estafeta", "Servientrega", "Correos", "USPS", "DHL", "Colissimo", "Poste Italiane", "PostNL",
    "InPost", "Yurtiçi Kargo", "SMSA Express", "Aramex", "J&T Express", "Giao Hàng Nhanh", "Kerry Express",
    "LBC Express", "SF Express", "Japan Post", "CJ Logistics", "China Post", "UPS", "FedEx", "YunExpress", "4PX",
    "Cainiao",
]


@pytest.mark.parametrize("name", BRIEFED)
def test_every_briefed_carrier_is_in_the_map(name: str) -> None:
    assert default_carriers().get(name) is not None


@pytest.mark.parametrize(("written", "slug", "key"), [
    ("Correios", "brazil-correios", 2151),
    ("correios do brasil", "brazil-correios", 2151),
    ("YURTICI KARGO", "yurtici-kargo", 100348),
    ("yurtiçi-kargo", "yurtici-kargo", 100348),
    ("giao hang nhanh", "ghn", 100593),
    ("DHL Express", "dhl", 100001),
    ("China Post", "china-post", 3011),
    ("中国邮政", "china-post", 3011),
    ("Servientrega", "servientrega", None),  # 17TRACK code not confirmed: auto-detect
    ("J&T Express", None, None),  # one code per country: auto-detect
    ("Kerry Express", None, None),
    ("Some Local Courier", None, None),
    (None, None, None),
])
def test_lookup_is_forgiving_about_how_a_store_writes_the_name(written: str | None, slug: str | None,
                                                                key: int | None) -> None:
    carriers = default_carriers()
    assert carriers.aftership_slug(written) == slug
    assert carriers.seventeentrack_code(written) == key


def test_a_name_may_not_point_at_two_carriers(tmp_path: Path) -> None:
    path = tmp_path / "carriers.yaml"
    path.write_text("carriers:\n  - {name: UPS, aftership: ups}\n  - {name: U.P.S., aftership: ups-freight}\n")
    with pytest.raises(ValidationError, match="names both"):
        load_carriers(path)


def test_codes_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "carriers.yaml"
    path.write_text("carriers:\n  - {name: UPS, aftership: 'UPS Inc', seventeentrack: -1}\n")
    with pytest.raises(ValidationError):
        load_carriers(path)


def test_make_tracker() -> None:
    assert make_tracker("none") is None
    assert registered() == ["17track", "aftership", "none"]
    aftership = make_tracker("aftership", api_key="k", webhook_secret="s", base_url="http://127.0.0.1:9")
    seventeen = make_tracker("17track", api_key="k", base_url="http://127.0.0.1:9/")
    assert isinstance(aftership, AfterShipTracker) and aftership.name == "aftership"
    assert isinstance(seventeen, SeventeenTrackTracker) and seventeen.name == "17track"
    aftership.close()
    seventeen.close()
    with pytest.raises(ValueError, match="unknown tracker"):
        make_tracker("shipstation")
    with pytest.raises(ValueError, match="API key"):
        make_tracker("17track", api_key="")
