from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from connectors.models import StoreData

ROOT = Path(__file__).parents[2]


def test_published_schema_matches_the_models() -> None:
    published = json.loads((ROOT / "docs" / "import-format.schema.json").read_text(encoding="utf-8"))
    generated = StoreData.model_json_schema()
    published.pop("$schema")
    published.pop("title")
    generated.pop("title", None)
    assert published == generated, "regenerate docs/import-format.schema.json (see docs/import-format.md)"


def test_example_file_validates_against_the_schema() -> None:
    schema = json.loads((ROOT / "docs" / "import-format.schema.json").read_text(encoding="utf-8"))
    doc = json.loads((ROOT / "tests" / "fixtures" / "mini_store.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    doc["orders"][0]["status"] = "bogus"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("schema accepted an unknown order status")
