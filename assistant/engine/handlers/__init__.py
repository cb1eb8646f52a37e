"""Offline-engine handlers, one per intent, registered with `@handles`. Add an intent by adding a module here."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from assistant.engine.base import Turn
from assistant.engine.responder import Responder
from assistant.tools.context import ToolContext

Handler = Callable[[Turn, ToolContext, Responder], None]
HANDLERS: dict[str, Handler] = {}


def handles(*intents: str) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        for intent in intents:
            HANDLERS[intent] = fn
        return fn
    return deco


def load_builtin_handlers() -> dict[str, Handler]:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_") and module.name != "common":
            importlib.import_module(f"{__name__}.{module.name}")
    return HANDLERS
