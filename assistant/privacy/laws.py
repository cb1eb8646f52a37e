"""Which law's deadline applies to a data-subject request, from the person's country (laws.yaml)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Law(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=1, le=90)
    countries: list[str] = Field(default_factory=list)


class Default(BaseModel):
    model_config = ConfigDict(extra="forbid")
    law: str
    days: int = Field(ge=1, le=90)


class Laws(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: Default
    laws: dict[str, Law]

    @model_validator(mode="after")
    def _one_law_per_country(self) -> Laws:
        seen: dict[str, str] = {}
        for name, law in self.laws.items():
            for country in law.countries:
                if country in seen:
                    raise ValueError(f"{country} is under both {seen[country]} and {name}")
                seen[country] = name
        return self

    def for_country(self, country: str | None) -> tuple[str, int]:
        for name, law in self.laws.items():
            if country and country.upper() in law.countries:
                return name, law.days
        return self.default.law, self.default.days


@cache
def load_laws(path: Path | None = None) -> Laws:
    text = (path.read_text(encoding="utf-8") if path is not None
            else resources.files("assistant.privacy").joinpath("laws.yaml").read_text(encoding="utf-8"))
    return Laws.model_validate(yaml.safe_load(text))
