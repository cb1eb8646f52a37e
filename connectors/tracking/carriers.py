"""The carrier map (carriers.yaml): a store's carrier name -> each tracker's carrier code, or None to auto-detect."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.tracking.normalise import fold

CARRIERS_PATH = Path(__file__).with_name("carriers.yaml")


class Carrier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    aliases: list[str] = Field(default_factory=list)
    aftership: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")  # courier slug
    seventeentrack: int | None = Field(default=None, gt=0)  # 17TRACK carrier key

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class CarrierFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    carriers: list[Carrier]

    @model_validator(mode="after")
    def _names_are_unique(self) -> CarrierFile:
        seen: dict[str, str] = {}
        for carrier in self.carriers:
            for name in carrier.names:
                key = carrier_key(name)
                if key in seen and seen[key] != carrier.name:
                    raise ValueError(f"{name!r} names both {seen[key]!r} and {carrier.name!r}")
                seen[key] = carrier.name
        return self


def carrier_key(name: str) -> str:
    """'Yurtiçi Kargo', 'yurtici-kargo' and 'YURTICI KARGO' are one carrier; CJK names are kept as written."""
    return re.sub(r"[\W_]+", "", fold(name))


class CarrierMap:
    def __init__(self, carriers: list[Carrier]) -> None:
        self._by_key = {carrier_key(name): carrier for carrier in carriers for name in carrier.names}

    def get(self, name: str | None) -> Carrier | None:
        return self._by_key.get(carrier_key(name)) if name else None

    def aftership_slug(self, name: str | None) -> str | None:
        carrier = self.get(name)
        return carrier.aftership if carrier else None

    def seventeentrack_code(self, name: str | None) -> int | None:
        carrier = self.get(name)
        return carrier.seventeentrack if carrier else None


def load_carriers(path: Path = CARRIERS_PATH) -> CarrierMap:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return CarrierMap(CarrierFile.model_validate(document).carriers)


@lru_cache(maxsize=1)
def default_carriers() -> CarrierMap:
    return load_carriers()
