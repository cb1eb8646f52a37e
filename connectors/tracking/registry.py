"""Tracker registry: a provider is added by registering a factory under its name; "none" means no tracker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.tracking.models import Tracker

TrackerFactory = Callable[..., Tracker]
_FACTORIES: dict[str, TrackerFactory] = {}
NONE = "none"


def register_tracker(name: str) -> Callable[[TrackerFactory], TrackerFactory]:
    def deco(factory: TrackerFactory) -> TrackerFactory:
        _FACTORIES[name] = factory
        return factory
    return deco


def make_tracker(name: str, **settings: Any) -> Tracker | None:
    """make_tracker("aftership", api_key=..., webhook_secret=...) / make_tracker("17track", api_key=...)."""
    if name == NONE:
        return None
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValueError(f"unknown tracker {name!r}; registered: {', '.join(registered())}") from None
    return factory(**settings)


def registered() -> list[str]:
    return sorted([NONE, *_FACTORIES])


@register_tracker("aftership")
def _aftership(**settings: Any) -> Tracker:
    from connectors.tracking.aftership import AfterShipTracker  # imported when chosen: keeps startup light

    return AfterShipTracker(**settings)


@register_tracker("17track")
def _seventeentrack(**settings: Any) -> Tracker:
    from connectors.tracking.seventeentrack import SeventeenTrackTracker

    return SeventeenTrackTracker(**settings)
