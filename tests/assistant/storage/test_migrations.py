"""Migrations: a fresh database is made current, the revisions build exactly the models' schema, a database that is
behind (or made before migrations) is refused with the command to run, and `portside db upgrade` brings it up to
date keeping its rows, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from assistant.runtime import Services
from assistant.settings import Settings
from assistant.storage import migrate
from assistant.storage import schema as t
from connectors.sql.engine import make_engine

pytestmark = pytest.mark.both_databases


def _diff(url: str) -> list[object]:
    with make_engine(url).connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                     migrate.target_metadata()))


def test_a_fresh_database_is_created_at_the_newest_revision(services: Services) -> None:
    services.conversations  # noqa: B018 - first use creates the schema
    assert migrate.state(services.engine) == ("current", migrate.head())
    assert _diff(services.settings.resolved_database_url) == []


def test_the_revisions_build_the_same_schema_as_the_models(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    before, after = migrate.upgrade(engine)  # step by step from nothing, not create_all
    assert (before, after) == (None, migrate.head())
    assert _diff(settings.resolved_database_url) == []


def _at_baseline_with_a_row(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    with engine.begin() as conn:
        command.upgrade(migrate.config(conn), migrate.BASELINE)
        now = datetime(2026, 12, 1, tzinfo=UTC)
        conn.execute(insert(t.outbox).values(topic="slack.post", dedupe_key="post:h1", payload={"handoff_id": "h1"},
                                             attempts=0, next_attempt_at=now, created_at=now))
    engine.dispose()


def _portside(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PORTSIDE_")},
           "PORTSIDE_HOME": str(settings.home), "PORTSIDE_DATABASE_URL": settings.resolved_database_url}
    return subprocess.run([sys.executable, "-m", "assistant.cli.main", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_database_that_is_behind_is_refused_until_db_upgrade(settings: Settings) -> None:
    _at_baseline_with_a_row(settings)
    services = Services(settings)
    try:
        with pytest.raises(migrate.SchemaNotCurrent, match="portside db upgrade"):
            services.conversations  # noqa: B018
    finally:
        services.close()

    refused = _portside(settings, "serve", "--port", "1")
    assert refused.returncode == 1
    assert "portside db upgrade" in refused.stderr and "Traceback" not in refused.stderr
    assert _portside(settings, "db", "status").returncode == 1

    done = _portside(settings, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert f"to revision {migrate.head()}" in done.stdout
    again = _portside(settings, "db", "upgrade")
    assert again.returncode == 0 and "already at revision" in again.stdout
    engine = make_engine(settings.resolved_database_url)
    assert migrate.state(engine) == ("current", migrate.head())
    with engine.connect() as conn:  # the row survived, with the new columns empty
        row = conn.execute(select(t.outbox)).mappings().one()
    assert row["dedupe_key"] == "post:h1" and row["claimed_by"] is None and row["lease_until"] is None
    engine.dispose()


def test_a_database_made_before_migrations_is_adopted_by_db_upgrade(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    with engine.begin() as conn:  # the tables as create_all made them before Alembic, without the lease columns
        command.upgrade(migrate.config(conn), migrate.BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
    assert migrate.state(engine)[0] == "legacy"
    with pytest.raises(migrate.SchemaNotCurrent, match="made before migrations"):
        migrate.prepare(engine)
    assert migrate.upgrade(engine) == (None, migrate.head())
    assert {"claimed_by", "lease_until"} <= {c["name"] for c in inspect(engine).get_columns("outbox")}
    engine.dispose()


def test_a_database_newer_than_this_portside_is_refused(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    migrate.prepare(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(migrate.SchemaNotCurrent, match="newer than this Portside"):
        migrate.prepare(engine)
    with pytest.raises(migrate.SchemaNotCurrent):
        migrate.upgrade(engine)
    engine.dispose()
