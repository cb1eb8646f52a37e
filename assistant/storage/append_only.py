"""Database triggers that make a table append-only: an UPDATE or DELETE fails in the database itself, whatever code
(or person with a SQL prompt and the app's credentials) tries it."""

from __future__ import annotations

from sqlalchemy import DDL, Table, event


def statements(table: str, dialect: str) -> list[str]:
    message = f"{table} is append-only"
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ]
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def protect(table: Table) -> None:
    """Create the triggers whenever SQLAlchemy creates the table (a fresh database); migrations call statements()."""
    for dialect in ("postgresql", "sqlite"):
        for sql in statements(table.name, dialect):
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))
