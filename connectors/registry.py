"""Connector registry: a data source is added by registering a factory under a name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_FACTORIES: dict[str, Callable[..., Any]] = {}


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(factory: Callable[..., Any]) -> Callable[..., Any]:
        _FACTORIES[name] = factory
        return factory
    return deco


def make_store(name: str, **kwargs: Any) -> Any:
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValueError(f"unknown connector {name!r}; registered: {', '.join(sorted(_FACTORIES))}") from None
    return factory(**kwargs)


def registered() -> list[str]:
    return sorted(_FACTORIES)


@register("sql")
def _sql(engine: Any) -> Any:
    from connectors.sql.store import SqlStore

    return SqlStore(engine)
