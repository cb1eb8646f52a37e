from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.clock import FixedClock, SystemClock
from assistant.settings import Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.home == Path(".portside")
    assert s.resolved_database_url.startswith("sqlite:///") and s.resolved_database_url.endswith(
        "portside.db"
    )
    assert isinstance(s.clock, SystemClock)


def test_env_prefix_and_frozen_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTSIDE_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("PORTSIDE_NOW", "2026-03-01T10:00:00+01:00")
    monkeypatch.setenv("PORTSIDE_DATABASE_URL", "sqlite:///:memory:")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.home == tmp_path / "h"
    assert s.resolved_database_url == "sqlite:///:memory:"
    assert isinstance(s.clock, FixedClock)
    assert s.clock.now() == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("PORTSIDE_STAFF_TOKEN=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    assert Settings().staff_token == "from-dotenv"


def test_naive_now_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIDE_NOW", "2026-03-01T10:00:00")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_fixed_clock_refuses_naive() -> None:
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
