"""`portside db …`: create or upgrade the database schema (SQLite or PostgreSQL), and show where it stands."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from assistant.cli.common import CliError, console, services_ctx
from assistant.storage import migrate

db_app = typer.Typer(help="Database schema (migrations).", no_args_is_help=True)


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Create the schema, or upgrade it to this version's; safe to run again, and from several hosts at once."""
    with services_ctx() as services:
        try:
            before, after = migrate.upgrade(services.engine)
        except migrate.SchemaNotCurrent as exc:
            raise CliError(str(exc)) from None
        where = _where(services.settings.resolved_database_url)
        if before == after:
            console.print(f"{where}: already at revision {after}", soft_wrap=True)
        else:
            console.print(f"{where}: upgraded from {before or 'nothing'} to revision {after}", soft_wrap=True)


@db_app.command("revision")
def revision(message: str) -> None:
    """For developers: write a new migration from the difference between the models and a current database."""
    from alembic import command

    with services_ctx() as services:
        found, current = migrate.state(services.engine)
        if found != "current":
            raise CliError(f"the database is {found}: run `portside db upgrade` first, then compare")
        with services.engine.begin() as conn:
            command.revision(migrate.config(conn), message=message, autogenerate=True)


@db_app.command("status")
def status() -> None:
    """The schema's revision and whether `portside db upgrade` is needed (exit 1 when it is)."""
    with services_ctx() as services:
        found, current = migrate.state(services.engine)
        where = _where(services.settings.resolved_database_url)
        console.print(f"{where}: {found} (revision {current or '-'}, newest {migrate.head()})", soft_wrap=True)
        if found not in ("current", "empty"):
            raise CliError("run `portside db upgrade`" if found != "ahead" else "this Portside is older than the "
                           "database: upgrade Portside")
