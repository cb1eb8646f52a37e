"""`portside chat` (a terminal chat on the same engine) and `portside handoffs` (staff actions)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

from assistant.audit import Actor, cli_actor
from assistant.chat import ChatError, ChatRequest, ChatService
from assistant.cli.common import CliError, console, services_ctx
from assistant.handoffs.service import HandoffError
from assistant.identity import issue_token
from assistant.nlu.lexicon import LANGUAGES

handoffs_app = typer.Typer(help="Handoffs to staff.", no_args_is_help=True)


def chat(
    lang: Annotated[str | None, typer.Option("--lang", help="Force the reply language.")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Chat as this (verified) customer id.")] = None,
) -> None:
    """Chat with the assistant in the terminal (empty line or Ctrl-D to quit)."""
    if lang and lang not in LANGUAGES:
        raise CliError(f"--lang must be one of {', '.join(LANGUAGES)}")
    with services_ctx() as services:
        token = None
        if customer:
            if services.store.get_customer(customer) is None:
                raise CliError(f"no customer {customer}")
            token = issue_token(customer, services.settings.widget_secret)
        service = ChatService(services)
        session_id = None
        console.print("[dim]Portside chat — empty line to quit[/dim]")
        while True:
            try:
                text = console.input("[bold cyan]you>[/bold cyan] ")
            except (EOFError, KeyboardInterrupt):
                break
            if not text.strip():
                break
            try:
                result = service.handle(ChatRequest(message=text, session_id=session_id, language=lang,
                                                    customer_token=token))
            except ChatError as exc:
                console.print(f"[red]{exc.message}[/red]")
                continue
            session_id = result.session_id
            r = result.reply
            meta = f"{result.language} · {r.intent} {r.confidence:.2f}" + (" · verified" if result.verified else "")
            console.print(Panel(Markdown(r.text or "_(a person is handling this conversation)_"),
                                title="portside", subtitle=meta))
            if r.handoff:
                console.print(f"[yellow]handoff {r.handoff['id']} ({r.handoff['reason']})[/yellow]")


@handoffs_app.command("list")
def list_(state: Annotated[str | None, typer.Option("--state", help="open | claimed | resolved")] = None) -> None:
    """Handoffs, oldest first."""
    with services_ctx() as services:
        try:
            rows = services.handoffs.list(state)
        except HandoffError as exc:
            raise CliError(str(exc)) from None
        table = Table(title="Handoffs")
        for col in ("id", "created", "state", "priority", "reason", "lang", "order", "summary"):
            table.add_column(col, overflow="fold")
        for h in rows:
            table.add_row(h["id"], h["created_at"].strftime("%Y-%m-%d %H:%M"), h["state"], h["priority"],
                          h["reason"], h["language"] or "", h["order_id"] or "", h["summary"][:80])
        console.print(table)


def _get(services: object, handoff_id: str) -> dict:
    row = services.handoffs.get(handoff_id)  # type: ignore[attr-defined]
    if row is None:
        raise CliError(f"no handoff {handoff_id}")
    return dict(row)


@handoffs_app.command("show")
def show(handoff_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The full packet: summary, transcript, order, suggested reply."""
    with services_ctx() as services:
        row = _get(services, handoff_id)
        packet = row["packet"]
        if as_json:
            console.print_json(json.dumps(packet, default=str))
            return
        console.print(Panel(packet["summary"], title=f"{row['id']} · {row['state']} · {row['priority']}"))
        console.print(f"[bold]Shopper's words:[/bold] {packet['shopper_words']}")
        for m in packet["transcript"]:
            console.print(f"  [dim]{m['created_at'][11:16]}[/dim] {m['role']}: {m['text'][:300]}")
        console.print(f"[bold]Suggested reply ({packet['language']}):[/bold] {packet['suggested_reply']}")


def _cli(staff: str) -> Actor:
    """The operator at this terminal, shown to the shopper and colleagues as --staff."""
    actor = cli_actor()
    return Actor(actor.name, "cli", actor.scopes, display=staff)


@handoffs_app.command("reply")
def reply(handoff_id: str, text: str, staff: Annotated[str, typer.Option("--staff")] = "staff") -> None:
    """Send a reply into the shopper's conversation."""
    with services_ctx() as services:
        _get(services, handoff_id)
        try:
            services.handoffs.reply(handoff_id, _cli(staff), text)
        except HandoffError as exc:
            raise CliError(str(exc)) from None
        console.print("sent")


@handoffs_app.command("resolve")
def resolve(handoff_id: str, staff: Annotated[str, typer.Option("--staff")] = "staff") -> None:
    """Mark resolved; the assistant takes the conversation back."""
    with services_ctx() as services:
        _get(services, handoff_id)
        services.handoffs.resolve(handoff_id, _cli(staff))
        console.print("resolved")
