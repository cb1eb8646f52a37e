"""INSERT … ON CONFLICT DO NOTHING on the backends we run on (SQLite, PostgreSQL), a read-then-insert elsewhere.

A plain insert that may collide would need a savepoint to keep the caller's transaction alive, and savepoints
don't work on pysqlite's default transaction handling."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any], keys: list[str]) -> None:
    """Insert the row unless one with the same `keys` (a unique or primary key) exists; inside the caller's
    transaction."""
    dialect = conn.engine.dialect.name
    if dialect == "sqlite":
        conn.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))
    elif dialect == "postgresql":
        conn.execute(pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))
    else:
        same = and_(*(table.c[k] == values[k] for k in keys))
        if conn.scalar(select(table.c[keys[0]]).where(same)) is None:
            conn.execute(table.insert().values(**values))


def upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Insert each row, or update the row with the same `keys` to these values; inside the caller's transaction."""
    dialect = conn.engine.dialect.name
    for values in rows:
        changes = {k: v for k, v in values.items() if k not in keys}
        if dialect in ("sqlite", "postgresql"):
            stmt = (sqlite_insert if dialect == "sqlite" else pg_insert)(table).values(**values)
            conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))
            continue
        same = and_(*(table.c[k] == values[k] for k in keys))
        if conn.execute(table.update().where(same).values(**changes)).rowcount == 0:
            conn.execute(table.insert().values(**values))
