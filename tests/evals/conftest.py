from __future__ import annotations

from pathlib import Path

import pytest

from assistant.runtime import Services
from evals.world import World


@pytest.fixture
def world(tmp_path: Path, demo_kb, intent_classifier, reason_matcher) -> World:  # type: ignore[no-untyped-def]
    """An eval world sharing the session's KB, intent classifier and reason matcher."""
    from assistant.settings import Settings

    base = Services(Settings(home=tmp_path / "shared", _env_file=None))  # type: ignore[call-arg]
    base.__dict__["kb"] = demo_kb
    base.__dict__["intents"] = intent_classifier
    base.__dict__["reasons"] = reason_matcher
    w = World(tmp_path, base_services=base)
    w.prepare()
    return w
