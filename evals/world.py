"""The world an eval case runs in: a copy of a prepared demo database, the shared KB and intent classifier,
and the placeholders ({order}, {email}, {other_order}...) resolved from the case's setup."""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from assistant.identity import issue_token
from assistant.runtime import Services
from assistant.settings import Settings
from connectors import demo
from connectors.importer import import_data, load_json_file, parse_document
from connectors.models import Order, StoreData
from evals.schema import Setup
from knowledge.demo import DEMO_KB_PATH

DEMO_ORDERS, DEMO_SEED = 300, 7


class SetupError(ValueError):
    pass


@dataclass
class CaseWorld:
    services: Services
    token: str | None
    values: dict[str, str]
    own_customer_id: str | None

    def fill(self, template: str) -> str:
        out = template
        for key, value in self.values.items():
            out = out.replace("{" + key + "}", value)
        return out

    def close(self) -> None:
        self.services.close()


class World:
    """Shared, read-only parts built once; each case gets its own database copy (writes don't leak between cases)."""

    def __init__(self, home: Path, *, llm: str = "offline", base_services: Services | None = None) -> None:
        self.home = home
        self.llm = llm
        self._templates: dict[tuple[str, str | None], Path] = {}
        self._lock = threading.Lock()
        self.base = base_services or Services(Settings(home=home / "shared", _env_file=None))  # type: ignore[call-arg]
        home.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(prefix="portside-eval-", dir=home))

    def prepare(self) -> None:
        """Build what every case shares: the KB and the embeddings of the intent examples and reason phrases."""
        kb = self.base.kb
        kb.ingest([DEMO_KB_PATH])  # incremental: a reused home picks up edited demo cards, else it costs ~0.5 s
        self.base.intents  # noqa: B018
        self.base.reasons  # noqa: B018

    def _template(self, now: str, store: str | None) -> Path:
        key = (now, store)
        with self._lock:
            if key not in self._templates:
                folder = self._tmp / f"template-{len(self._templates)}"
                settings = Settings(home=folder, now=datetime.fromisoformat(now.replace("Z", "+00:00")),
                                    _env_file=None)  # type: ignore[call-arg]
                services = Services(settings)
                if store:
                    data = parse_document(load_json_file(Path(store)))
                else:
                    data = StoreData.model_validate(demo.generate(orders=DEMO_ORDERS, seed=DEMO_SEED,
                                                                  now=settings.clock.now(),
                                                                  fx=services.policy.fx_to_usd))
                import_data(services.store, data)
                services.conversations  # noqa: B018 - create every table in the template
                services.close()
                self._templates[key] = folder / "portside.db"
            return self._templates[key]

    def for_case(self, case_id: str, setup: Setup) -> CaseWorld:
        template = self._template(setup.now, setup.store)
        folder = self._tmp / "cases" / case_id.replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, folder / "portside.db")
        settings = Settings(home=folder, now=datetime.fromisoformat(setup.now.replace("Z", "+00:00")),
                            policy_file=Path(setup.policy) if setup.policy else None, llm=self.llm,
                            rate_limit_session="100000/minute", rate_limit_ip="100000/minute",
                            _env_file=None)  # type: ignore[call-arg]
        services = Services(settings)
        services.__dict__["kb"] = self.base.kb
        services.__dict__["intents"] = self.base.intents
        services.__dict__["reasons"] = self.base.reasons
        services.__dict__["embedder"] = self.base.embedder
        return self._resolve(services, setup)

    def _resolve(self, services: Services, setup: Setup) -> CaseWorld:
        values: dict[str, str] = {}
        token = None
        own = None
        subject = setup.order or (setup.as_ if setup.as_.startswith("scenario:") else None)
        order = scenario_order(services, subject.split(":", 1)[1]) if subject else None
        if setup.as_.startswith("scenario:"):
            own = scenario_order(services, setup.as_.split(":", 1)[1]).customer_id
        elif setup.as_.startswith("customer:"):
            own = setup.as_.split(":", 1)[1]
            if services.store.get_customer(own) is None:
                raise SetupError(f"no customer {own}")
        elif setup.as_ != "guest":
            raise SetupError(f"setup.as must be guest, scenario:<name> or customer:<id>, not {setup.as_!r}")
        if own:
            token = issue_token(own, services.settings.widget_secret)
        if order is not None:
            values |= order_values(services, order, "")
            other = next((o for o in other_orders(services, order.customer_id)), None)
            if other is not None:
                values |= order_values(services, other, "other_")
        return CaseWorld(services, token, values, own)


def scenario_order(services: Services, name: str) -> Order:
    names = [s.name for s in demo.SCENARIOS]
    if name not in names:
        raise SetupError(f"unknown scenario {name!r}; known: {', '.join(names)}")
    with services.engine.connect() as conn:
        oid = conn.execute(text("SELECT id FROM orders WHERE id LIKE :p ORDER BY id"),
                           {"p": f"%-{100234 + names.index(name)}"}).scalar()
    order = services.store.get_order(oid) if oid else None
    if order is None:
        raise SetupError(f"scenario {name} has no order in this store")
    return order


def other_orders(services: Services, customer_id: str) -> list[Order]:
    out = []
    for name in ("in_transit", "out_for_delivery", "customs_hold_unpaid", "delivered_recent"):
        o = scenario_order(services, name)
        if o.customer_id != customer_id and o.shipments:
            out.append(o)
    return out


def order_values(services: Services, order: Order, prefix: str) -> dict[str, Any]:
    customer = services.store.get_customer(order.customer_id)
    return {
        f"{prefix}order": order.id,
        f"{prefix}tracking": order.shipments[0].tracking_number if order.shipments else "",
        f"{prefix}email": customer.email if customer else "",
        f"{prefix}postal": order.shipping_address.postal_code or "",
        f"{prefix}address": order.shipping_address.line1,
    }
