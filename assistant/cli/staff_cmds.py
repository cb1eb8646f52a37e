"""`portside staff token create|list|revoke`: named staff API tokens with scopes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.audit import cli_actor
from assistant.cli.common import CliError, console, services_ctx
from assistant.staff.tokens import SCOPE_HELP, SCOPES, TokenError

staff_app = typer.Typer(help="Staff access.", no_args_is_help=True)
token_app = typer.Typer(help="Named API tokens with scopes (" + ", ".join(SCOPES) + ").", no_args_is_help=True)
staff_app.add_typer(token_app, name="token")


@token_app.command("create")
def create(name: str, scope: Annotated[list[str], typer.Option("--scope", help=(
        "Repeat or comma-separate: " + "; ".join(f"{k}: {v}" for k, v in SCOPE_HELP.items())))]) -> None:
    """Create a token; it is shown once (only its hash is kept)."""
    actor = cli_actor()
    with services_ctx() as services:
        try:
            row, token = services.staff_tokens.create(name, scope, actor.name)
        except TokenError as exc:
            raise CliError(str(exc), code=2) from None
        services.audit.record(actor, "staff.token_create", row["id"], name=row["name"], scopes=row["scopes"])
    console.print(f"token {row['id']} for {escape(row['name'])} ({', '.join(row['scopes'])}); store it now, it "
                  "is not shown again:")
    typer.echo(token)


@token_app.command("list")
def list_tokens() -> None:
    """Tokens, live and revoked (never the secrets)."""
    with services_ctx() as services:
        rows = services.staff_tokens.list()
    table = Table("id", "name", "scopes", "created", "last used", "revoked")
    for r in rows:
        table.add_row(r["id"], escape(r["name"]), ", ".join(r["scopes"]), f"{r['created_at']:%Y-%m-%d}",
                      f"{r['last_used_at']:%Y-%m-%d %H:%M}" if r["last_used_at"] else "—",
                      f"{r['revoked_at']:%Y-%m-%d %H:%M}" if r["revoked_at"] else "")
    console.print(table if rows else "no staff tokens (PORTSIDE_STAFF_TOKEN, if set, is the admin token)")


@token_app.command("revoke")
def revoke(ref: Annotated[str, typer.Argument(help="Token id, or a name (revokes all live tokens of it).")]) -> None:
    actor = cli_actor()
    with services_ctx() as services:
        try:
            rows = services.staff_tokens.revoke(ref)
        except TokenError as exc:
            raise CliError(str(exc)) from None
        for r in rows:
            services.audit.record(actor, "staff.token_revoke", r["id"], name=r["name"])
    console.print(f"revoked {', '.join(r['id'] for r in rows)}")
