"""`portside eval run|compare`: run YAML eval suites and compare reports."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli.common import CliError, console, err_console
from assistant.settings import Settings

eval_app = typer.Typer(help="Evaluation suites.", no_args_is_help=True)


def _fmt(v: object) -> str:
    return "—" if v is None else f"{v * 100:.1f}%" if isinstance(v, float) and v <= 1 else str(v)


@eval_app.command("run")
def run(
    suites: Annotated[list[str] | None, typer.Argument(help="Suite names or YAML paths (default: all).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="offline | llm")] = "offline",
    model: Annotated[str | None, typer.Option("--model", help="provider:model for --engine llm")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the JSON report here.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    fail_under: Annotated[float | None, typer.Option("--fail-under", min=0, max=1)] = None,
    jobs: Annotated[int, typer.Option("-j", "--jobs", min=1, max=32, help="Cases in parallel.")] = 1,
    llm_shopper: Annotated[bool, typer.Option("--llm-shopper", help="Simulated shoppers played by the LLM.")] = False,
) -> None:
    """Run eval suites; print a summary per suite, language and intent; exit 1 below --fail-under."""
    from evals.report import build
    from evals.report_html import render
    from evals.runner import Runner, SuiteError, load_suites
    from evals.world import World

    if engine not in {"offline", "llm"}:
        raise CliError("--engine must be offline or llm")
    settings = Settings()
    llm = "offline" if engine == "offline" else (model or settings.llm)
    if engine == "llm" and llm == "offline":
        raise CliError("--engine llm needs --model provider:model (or PORTSIDE_LLM)")
    try:
        loaded = load_suites(suites or [])
    except SuiteError as exc:
        raise CliError(str(exc)) from None
    world = World(settings.home / "evals", llm=llm)
    started, t0 = datetime.now(UTC), time.perf_counter()
    err_console.print("[dim]preparing the eval world (demo KB, intent examples)…[/dim]")
    world.prepare()
    total = sum(len(s.cases) for s in loaded)
    with Progress(TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[last]}"), console=err_console) as bar:
        task = bar.add_task("cases", total=total, last="")
        shopper = None
        if llm_shopper:
            if llm == "offline":
                raise CliError("--llm-shopper needs a model (--model or PORTSIDE_LLM)")
            from assistant.engine.llm.model import make_chat_model
            from evals.llm_shopper import LLMShopper

            shopper = LLMShopper(make_chat_model(settings.model_copy(update={"llm": llm})))
        results = Runner(world, shopper=shopper).run(loaded, jobs=jobs, progress=lambda r: bar.update(
            task, advance=1, last=("[green]✓ " if r.passed else "[red]✗ ") + r.id))
    meta = {"engine": engine, "model": None if engine == "offline" else llm, "started": started.isoformat(),
            "duration_s": time.perf_counter() - t0, "suites": [s.suite for s in loaded]}
    report = build(results, meta)
    m = report["metrics"]
    summary = Table(title=f"Eval: {m['passed']}/{m['cases']} cases passed ({_fmt(m['pass_rate'])})")
    for col in ("metric", "value"):
        summary.add_column(col)
    for key in ("intent_accuracy", "language_match", "groundedness", "citation_hit", "escalation_precision",
                "escalation_recall", "containment", "leaks", "latency_p50_ms", "latency_p95_ms", "errors"):
        summary.add_row(key, _fmt(m[key]) if "latency" not in key else f"{m[key]} ms")
    console.print(summary)
    for title, key, count in (("suite", "by_suite", "cases"), ("language", "by_language", "cases"),
                              ("intent", "by_intent", "turns")):
        table = Table(title=f"by {title}")
        for col in (title, count, "pass rate"):
            table.add_column(col)
        for name, row in m[key].items():
            table.add_row(name, str(row[count]), _fmt(row["pass_rate"]))
        console.print(table)
    if json_out:
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if html_out:
        html_out.write_text(render(report), encoding="utf-8")
    if fail_under is not None and m["pass_rate"] < fail_under:
        err_console.print(f"[red]pass rate {m['pass_rate']:.3f} is below {fail_under}[/red]")
        raise typer.Exit(1)


@eval_app.command("compare")
def compare_cmd(a: Path, b: Path) -> None:
    """What got better or worse from report A to report B, case by case."""
    from evals.compare import compare

    try:
        left, right = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read reports: {exc}") from None
    diff = compare(left, right)
    table = Table(title=f"{a.name} → {b.name}")
    for col in ("metric", "before", "after"):
        table.add_column(col)
    for name, (x, y) in diff["metrics"].items():
        table.add_row(name, _fmt(x), _fmt(y))
    console.print(table)
    for label, key, color in (("fixed", "fixed", "green"), ("broken", "broken", "red"), ("new cases", "added", "cyan"),
                              ("removed cases", "removed", "yellow")):
        if diff[key]:
            console.print(f"[{color}]{label} ({len(diff[key])}):[/{color}] " + ", ".join(diff[key]))
