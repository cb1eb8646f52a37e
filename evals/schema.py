"""The eval suite format (YAML). Published as docs/eval-suite.schema.json; a test keeps them identical."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_NOW = "2026-11-26T12:00:00Z"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HandoffExpect(_Strict):
    reason: str | None = None
    priority: str | None = None


class Expect(_Strict):
    intent: str | None = None
    language: str | None = None
    must_include: list[str] = Field(default_factory=list, description='Substrings; "re:<regex>" for a regex.')
    must_not_include: list[str] = Field(default_factory=list)
    actions: list[dict[str, Any]] = Field(default_factory=list, description="Each must match some reply action.")
    handoff: bool | HandoffExpect | None = None
    citations: list[str] = Field(default_factory=list, description="Doc id prefixes that must be cited.")
    verified: bool | None = None
    grounded: bool = False
    no_leak: bool = False


class TurnSpec(_Strict):
    say: str
    language: str | None = Field(default=None, description="Force the reply language for this message.")
    expect: Expect = Field(default_factory=Expect)


class Setup(_Strict):
    as_: str = Field(default="guest", alias="as", description="guest | scenario:<name> | customer:<id>")
    order: str | None = Field(default=None, description="scenario:<name>: what {order} etc. refer to for a guest")
    now: str = DEFAULT_NOW
    store: str | None = Field(default=None, description="Store fixture in the import format (path)")
    policy: str | None = Field(default=None, description="Policy file (path)")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Case(_Strict):
    id: str
    tags: list[str] = Field(default_factory=list)
    setup: Setup = Field(default_factory=Setup)
    turns: list[TurnSpec] = Field(default_factory=list)
    persona: str | None = Field(default=None, description="A simulated shopper (evals/personas) instead of turns")


class Suite(_Strict):
    suite: str
    description: str = ""
    cases: list[Case]


class PersonaRule(_Strict):
    when: str = Field(description="Regex matched against the assistant's last reply (case-insensitive)")
    say: str


class Persona(_Strict):
    id: str
    language: str
    goal: str
    setup: Setup = Field(default_factory=Setup)
    opening: str
    rules: list[PersonaRule] = Field(default_factory=list)
    fallback: str = "?"
    success: Expect = Field(default_factory=Expect, description="Met by any reply in the conversation")
    max_turns: int = Field(default=8, ge=1, le=30)


Kind = Literal["suite", "persona"]
