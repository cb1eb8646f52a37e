"""Collects the parts of a localized reply while a handler works."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant import i18n


@dataclass
class Responder:
    language: str
    parts: list[str] = field(default_factory=list)

    def say(self, key: str, **values: object) -> Responder:
        self.parts.append(i18n.t(self.language, key, **values))
        return self

    def text(self, value: str) -> Responder:
        if value.strip():
            self.parts.append(value.strip())
        return self

    def render(self) -> str:
        return "\n\n".join(p for p in self.parts if p)
