"""JSON import: validate everything first, then upsert in one transaction (all or nothing)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connectors.models import StoreData
from connectors.sql.store import SqlStore, UpsertReport


@dataclass(frozen=True)
class ImportProblem:
    path: str  # JSON path, e.g. $.orders[3].status
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ImportRejected(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in import file")
        self.problems = problems


def json_path(loc: tuple[int | str, ...]) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse_document(raw: Any) -> StoreData:
    """Validate types and enums; then cross-record references. Raises ImportRejected listing every problem."""
    if not isinstance(raw, dict):
        raise ImportRejected([ImportProblem("$", "the document must be a JSON object")])
    try:
        data = StoreData.model_validate(raw)
    except ValidationError as exc:
        raise ImportRejected([
            ImportProblem(json_path(tuple(err["loc"])), err["msg"]) for err in exc.errors()
        ]) from None
    return data


def check_references(data: StoreData, known_customers: set[str], known_products: set[str],
                     email_owners: dict[str, str] | None = None) -> list[ImportProblem]:
    """Duplicates inside the file, and references to customers/products neither in the file nor the store."""
    problems: list[ImportProblem] = []
    for i, c in enumerate(data.customers):
        owner = (email_owners or {}).get(c.email.strip().lower())
        if owner is not None and owner != c.id:
            problems.append(ImportProblem(f"$.customers[{i}].email", f"email already belongs to customer {owner!r}"))
    problems += _duplicates("customers", [c.id for c in data.customers], "id")
    problems += _duplicates("customers", [c.email.strip().lower() for c in data.customers], "email")
    problems += _duplicates("products", [p.sku for p in data.products], "sku")
    problems += _duplicates("orders", [o.id for o in data.orders], "id")
    tracking = [(i, j, s.tracking_number) for i, o in enumerate(data.orders) for j, s in enumerate(o.shipments)]
    seen: dict[str, str] = {}
    for i, j, number in tracking:
        path = f"$.orders[{i}].shipments[{j}].tracking_number"
        if number in seen:
            problems.append(ImportProblem(path, f"duplicate tracking number {number!r} (also at {seen[number]})"))
        else:
            seen[number] = path
    customers = known_customers | {c.id for c in data.customers}
    products = known_products | {p.sku for p in data.products}
    for i, order in enumerate(data.orders):
        if order.customer_id not in customers:
            problems.append(ImportProblem(f"$.orders[{i}].customer_id", f"unknown customer {order.customer_id!r}"))
        skus = {item.sku for item in order.items}
        for k, item in enumerate(order.items):
            if item.sku not in products:
                problems.append(ImportProblem(f"$.orders[{i}].items[{k}].sku", f"unknown product {item.sku!r}"))
        for j, shipment in enumerate(order.shipments):
            for k, sku in enumerate(shipment.item_skus):
                if sku not in skus:
                    problems.append(ImportProblem(f"$.orders[{i}].shipments[{j}].item_skus[{k}]",
                                                  f"{sku!r} is not an item of this order"))
    return problems


def _duplicates(collection: str, values: list[str], field: str) -> list[ImportProblem]:
    counts = Counter(values)
    first: dict[str, int] = {}
    problems = []
    for i, value in enumerate(values):
        if counts[value] > 1:
            if value in first:
                problems.append(ImportProblem(f"$.{collection}[{i}].{field}",
                                              f"duplicate {field} {value!r} (first at index {first[value]})"))
            else:
                first[value] = i
    return problems


def load_json_file(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise ImportRejected([ImportProblem("$", f"file not found: {path}")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportRejected([ImportProblem("$", f"not valid JSON: {exc}")]) from None


def import_data(store: SqlStore, data: StoreData, *, replace: bool = False,
                progress: Callable[[int], None] | None = None) -> UpsertReport:
    """Check references against the store, then write in a single transaction."""
    with store.engine.begin() as conn:
        if replace:
            store.clear(conn)
            known_c: set[str] = set()
            known_p: set[str] = set()
        else:
            known_c = store.existing_ids(conn, "customers", [o.customer_id for o in data.orders])
            known_p = store.existing_ids(conn, "products", [i.sku for o in data.orders for i in o.items])
        owners = {} if replace else store.email_owners(conn, [c.email for c in data.customers])
        problems = check_references(data, known_c, known_p, owners)
        if problems:
            raise ImportRejected(problems)  # leaving the block rolls back, --replace included
        return store.upsert(conn, data, progress=progress)
