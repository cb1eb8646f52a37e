"""The tool registry: `@tool` registers a typed function whose first parameter is the ToolContext."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ToolSpec:
    name: str
    fn: Callable[..., Any]
    description: str
    writes: bool  # a write only proposes; the shopper's "yes" commits it (see assistant.tools.proposals)

    @property
    def signature(self) -> inspect.Signature:
        sig = inspect.signature(self.fn)
        return sig.replace(parameters=list(sig.parameters.values())[1:])


TOOLS: dict[str, ToolSpec] = {}


def tool(*, writes: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        doc = inspect.getdoc(fn) or fn.__name__
        TOOLS[fn.__name__] = ToolSpec(fn.__name__, fn, doc, writes)
        return fn
    return deco
