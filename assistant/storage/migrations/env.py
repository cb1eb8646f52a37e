"""Alembic environment: Portside passes its own connection (assistant/storage/migrate.py); `alembic -x url=…`
works too, for writing a new revision with --autogenerate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assistant.storage.migrate import target_metadata
from connectors.sql.engine import make_engine


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata(),
                      render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying the table
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database: alembic -x url=sqlite:///path/to/portside.db …")
    with make_engine(url).connect() as conn:
        run(conn)
        conn.commit()
