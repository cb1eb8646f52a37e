"""The tracker the settings name (PORTSIDE_TRACKING), built through the tracker registry."""

from __future__ import annotations

from typing import Any

from assistant.settings import Settings
from connectors.tracking.models import Tracker
from connectors.tracking.registry import make_tracker


class TrackingConfigError(ValueError):
    pass


def tracker_settings(settings: Settings) -> dict[str, Any]:
    if settings.tracking == "aftership":
        return {"api_key": settings.aftership_api_key, "webhook_secret": settings.aftership_webhook_secret or None,
                "base_url": settings.aftership_api_url}
    if settings.tracking == "17track":
        return {"api_key": settings.seventeentrack_api_key, "base_url": settings.seventeentrack_api_url}
    return {}


def tracker_from_settings(settings: Settings) -> Tracker | None:
    try:
        return make_tracker(settings.tracking, **tracker_settings(settings))
    except ValueError as exc:  # unknown name, missing key
        raise TrackingConfigError(f"PORTSIDE_TRACKING={settings.tracking}: {exc}") from None
