"""Schema migrations (Alembic) for every table, store and conversations alike, on SQLite and PostgreSQL.

A database is in one of five states. `prepare` (every process, at start) creates an empty one at the newest
revision and accepts a current one; anything else needs `portside db upgrade`, so a new version of Portside never
changes a merchant's tables behind their back. `upgrade` also adopts a database made before migrations existed
(tables but no alembic_version): it is stamped at the baseline revision, then upgraded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"  # the schema as it was when migrations were introduced
LOCK_KEY = 0x706F7274  # "port": one PostgreSQL advisory lock for schema changes, so workers don't race
State = Literal["empty", "legacy", "behind", "current", "ahead"]


class SchemaNotCurrent(Exception):
    def __init__(self, state: State, current: str | None, head: str) -> None:
        self.state, self.current, self.head = state, current, head
        if state == "ahead":
            what = f"the database is at revision {current}, newer than this Portside ({head}): upgrade Portside"
        else:
            where = "made before migrations" if state == "legacy" else f"at revision {current}"
            what = f"the database schema is behind ({where}, newest {head}): run `portside db upgrade`"
        super().__init__(what)


def target_metadata() -> list[MetaData]:
    from assistant.storage import schema as conversations
    from connectors.sql import schema as store

    return [store.metadata, conversations.metadata]


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head() -> str:
    rev = ScriptDirectory.from_config(config()).get_current_head()
    assert rev is not None
    return rev


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _state(conn: Connection) -> tuple[State, str | None]:
    current = _current(conn)
    if current is None:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        return ("legacy" if tables else "empty"), None
    if current == head():
        return "current", current
    known = {s.revision for s in ScriptDirectory.from_config(config()).walk_revisions()}
    return ("behind" if current in known else "ahead"), current


def state(engine: Engine) -> tuple[State, str | None]:
    with engine.connect() as conn:
        return _state(conn)


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the schema lock on PostgreSQL (SQLite locks the file on the first write)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        yield conn


def prepare(engine: Engine) -> None:
    """Make an empty database current; accept a current one; refuse anything else with the command to run."""
    found, current = state(engine)
    if found == "current":
        return
    if found != "empty":
        raise SchemaNotCurrent(found, current, head())
    with _schema_lock(engine) as conn:
        found, current = _state(conn)  # another worker may have created it while we waited
        if found == "empty":
            # A fresh database gets the models' tables at once and is stamped: the same schema the revisions
            # build step by step (tests/assistant/storage/test_migrations.py holds them to that).
            for metadata in target_metadata():
                metadata.create_all(conn)
            command.stamp(config(conn), "head")
        elif found != "current":
            raise SchemaNotCurrent(found, current, head())


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to `revision`; returns (before, after)."""
    with _schema_lock(engine) as conn:
        found, before = _state(conn)
        if found == "ahead":
            raise SchemaNotCurrent(found, before, head())
        if found == "legacy":
            command.stamp(config(conn), BASELINE)
        command.upgrade(config(conn), revision)
        return before, _current(conn)
