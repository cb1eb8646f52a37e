"""`portside` command line."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.markup import escape

from assistant.cli import (
    chat_cmds,
    db_cmds,
    eval_cmds,
    heldout_cmds,
    kb_cmds,
    platform_cmds,
    privacy_cmds,
    report_cmds,
    staff_cmds,
    store_cmds,
    tracking_cmds,
)
from assistant.cli.common import CliError, console, err_console, services_ctx
from assistant.storage.migrate import SchemaNotCurrent

app = typer.Typer(help="Portside: multilingual customer-service assistant.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.command("import")(store_cmds.import_cmd)
app.command("demo-data")(store_cmds.demo_data_cmd)
app.add_typer(store_cmds.orders_app, name="orders")
app.add_typer(kb_cmds.kb_app, name="kb")
app.add_typer(chat_cmds.handoffs_app, name="handoffs")
app.command("chat")(chat_cmds.chat)
app.add_typer(eval_cmds.eval_app, name="eval")
eval_cmds.eval_app.command("heldout")(heldout_cmds.heldout)
app.add_typer(tracking_cmds.tracking_app, name="tracking")
app.add_typer(db_cmds.db_app, name="db")
app.command("sync")(platform_cmds.sync)
app.command("connect")(platform_cmds.connect)
app.add_typer(privacy_cmds.privacy_app, name="privacy")
app.command("audit")(privacy_cmds.audit)
app.command("report")(report_cmds.report)
app.add_typer(staff_cmds.staff_app, name="staff")


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Create the demo store (and KB) on first start.")] = False,
    host: Annotated[str | None, typer.Option(help="Bind address (default PORTSIDE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PORTSIDE_PORT).")] = None,
) -> None:
    """Start the HTTP server (API, widget, Slack events)."""
    import uvicorn

    from assistant.api import live
    from assistant.api.app import create_app
    from assistant.policy.config import PolicyError
    from assistant.storage.migrate import SchemaNotCurrent
    from assistant.tracking.factory import TrackingConfigError

    with services_ctx() as services:
        try:
            services.policy  # noqa: B018 - a broken policy file fails here, not on the first shopper's message
            services.tracking  # noqa: B018 - so does an unknown tracker or a missing tracker key
            services.conversations  # noqa: B018 - and a schema that needs `portside db upgrade`
            services.store  # noqa: B018 - and a store platform without its credentials (PORTSIDE_STORE)
            services.order_pattern  # noqa: B018 - and a PORTSIDE_ORDER_PATTERN that is not a regular expression
        except (PolicyError, TrackingConfigError, SchemaNotCurrent) as exc:
            raise CliError(str(exc)) from None
        except re.error as exc:
            raise CliError(f"PORTSIDE_ORDER_PATTERN is not a regular expression: {exc}") from None
        except ValueError as exc:  # unknown PORTSIDE_STORE, missing platform credentials
            raise CliError(f"PORTSIDE_STORE={services.settings.store}: {exc}") from None
        services.settings.demo_storefront = services.settings.demo_storefront or demo
        if demo and store_cmds.ensure_demo_store(services):
            console.print("created the demo store")
        if demo:
            report = kb_cmds.ensure_demo_kb(services)
            if report:
                kb_cmds.print_report(report)
        from assistant.engine.llm.model import EngineUnavailable

        try:
            app_ = create_app(services=services)
        except EngineUnavailable as exc:
            raise CliError(str(exc)) from None
        trusted = services.settings.trusted_proxies
        # Forwarded headers only from configured proxies: otherwise any client (or a pass-through proxy on this
        # host) could pick the address that rate limits and verification lockouts count against.
        uvicorn.run(app_, host=host or services.settings.host, port=port or services.settings.port,
                    proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None, server_header=False,
                    ws_max_size=live.MAX_FRAME_CHARS * 4)


def main() -> None:
    try:
        app(standalone_mode=True)
    except CliError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")  # "[type=…]" in a message is not markup
        raise SystemExit(exc.code) from None
    except SchemaNotCurrent as exc:  # any command on a database that needs `portside db upgrade`
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
