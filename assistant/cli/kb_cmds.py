"""`portside kb`: ingest, search and inspect the policy knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.audit import cli_actor
from assistant.cli.common import CliError, console, err_console, services_ctx
from assistant.runtime import Services
from knowledge.base import KnowledgeBase
from knowledge.demo import DEMO_KB_PATH
from knowledge.embedders import EmbedderUnavailable
from knowledge.ingest import IngestReport
from knowledge.vectorstore import EmbedderMismatch

kb_app = typer.Typer(help="Policy knowledge base.", no_args_is_help=True)


def open_kb(services: Services, collection: str | None = None, reindex: bool = False) -> KnowledgeBase:
    if collection:
        services.settings.kb_collection = collection
    try:
        if reindex:
            services.__dict__["kb"] = services.open_kb(reset=True)
        return services.kb
    except (EmbedderMismatch, EmbedderUnavailable) as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # a Chroma server that is down, a corrupt folder
        raise CliError(f"cannot open the knowledge base: {exc}") from None


def ingest_with_progress(kb: KnowledgeBase, paths: list[Path]) -> IngestReport:
    with Progress(TextColumn("[bold]embedding chunks"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("embed", total=None)
        return kb.ingest(paths, progress=lambda done, total: bar.update(task, completed=done, total=total))


def print_report(report: IngestReport) -> None:
    console.print(f"documents {report.documents}: [green]{report.added} added[/green], "
                  f"[cyan]{report.updated} updated[/cyan], [red]{report.removed} removed[/red], "
                  f"{report.unchanged} unchanged")
    for path, reason in report.errors:
        err_console.print(f"[yellow]skipped[/yellow] {escape(str(path))}: {escape(reason)}", highlight=False)


def ensure_demo_kb(services: Services) -> IngestReport | None:
    """Ingest the demo KB when the collection is empty (first `make run`)."""
    kb = open_kb(services)
    if kb.meta:
        return None
    return ingest_with_progress(kb, [DEMO_KB_PATH])


@kb_app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.md .html .txt .pdf).")],
    collection: Annotated[str | None, typer.Option("--collection", help="Collection name.")] = None,
    reindex: Annotated[bool, typer.Option("--reindex", help="Drop the collection first (new embedder).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if any file was skipped.")] = False,
) -> None:
    """Ingest documents incrementally: unchanged chunks skipped, changed replaced, deleted removed."""
    with services_ctx() as services:
        kb = open_kb(services, collection, reindex)
        report = ingest_with_progress(kb, paths)
        print_report(report)
        services.audit.record(cli_actor(), "kb.ingest", kb.name, documents=report.documents, added=report.added,
                              updated=report.updated, removed=report.removed, errors=len(report.errors))
        if report.errors and (strict or report.documents == 0):
            raise typer.Exit(1)


@kb_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="The question.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Preferred language (ISO 639-1).")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many hits.")] = 5,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
    only_lang: Annotated[bool, typer.Option("--only-lang", help="Only passages in --lang.")] = False,
    collection: Annotated[str | None, typer.Option("--collection")] = None,
) -> None:
    """Ranked hybrid search with scores, ids and citations."""
    if not query.strip():
        raise CliError("the query is empty")
    with services_ctx() as services:
        kb = open_kb(services, collection)
        hits = kb.search(query, k=k, lang=lang, topic=topic, only_lang=only_lang)
        if not hits:
            empty = "" if kb.meta else ": the knowledge base is empty, run `portside kb ingest`"
            raise CliError("no results" + empty)
        table = Table(title=f"{query}")
        for col in ("#", "score", "doc_id", "lang", "section", "snippet", "chunk id"):
            table.add_column(col, overflow="fold")
        for n, h in enumerate(hits, 1):
            table.add_row(str(n), f"{h.score:.4f}", h.doc_id, h.lang, h.heading, h.citation.snippet[:160],
                          h.chunk_id)
        console.print(table)


@kb_app.command("stats")
def stats(collection: Annotated[str | None, typer.Option("--collection")] = None) -> None:
    """Chunks and documents per language and topic."""
    with services_ctx() as services:
        st = open_kb(services, collection).stats()
        console.print(f"collection [bold]{st.collection}[/bold], embedder {st.embedder}: "
                      f"{st.chunks} chunks from {st.documents} documents, {st.questions} alternative questions")
        table = Table()
        table.add_column("lang")
        table.add_column("chunks", justify="right")
        for lang, n in st.by_lang.items():
            table.add_row(lang, str(n))
        console.print(table)
        console.print("topics: " + ", ".join(f"{t} {n}" for t, n in st.by_topic.items()))
