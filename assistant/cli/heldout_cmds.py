"""`portside eval heldout`: run the blind held-out understanding set (evals/heldout). A measurement, not a gate:
it exits 0 whenever it ran, and non-zero only when a case file is broken."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.cli.common import CliError, console, err_console
from assistant.settings import Settings


def heldout(
    half: Annotated[str, typer.Option("--half", help="dev | test | all (the test half is run once, at the end)")]
    = "dev",
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Only this language (repeatable).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the JSON report (every case) here.")] = None,
    md_out: Annotated[Path | None, typer.Option("--markdown", help="Write the markdown tables here.")] = None,
    jobs: Annotated[int, typer.Option("-j", "--jobs", min=1, max=32, help="Cases in parallel.")] = 1,
    cases_dir: Annotated[Path | None, typer.Option("--cases", help="Case files (default evals/heldout/cases).")]
    = None,
    answer_order: Annotated[bool, typer.Option(
        "--answer-order", help="Answer 'which order?' with the case's order when the case gives no answer.")] = False,
) -> None:
    """Run the held-out set; print intent, slot and flow scores per language; write JSON / markdown."""
    from evals.generalisation import CASES_DIR, HeldoutError, load_cases, select
    from evals.generalisation_report import build, markdown
    from evals.generalisation_run import HeldoutRunner
    from evals.world import World

    if half not in ("dev", "test", "all"):
        raise CliError("--half must be dev, test or all")
    which: Literal["dev", "test", "all"] = half  # type: ignore[assignment]
    try:
        cases = select(load_cases(cases_dir or CASES_DIR, lang or []), which)
    except HeldoutError as exc:
        raise CliError(str(exc)) from None
    if not cases:
        raise CliError("no cases match --half / --lang")
    settings = Settings()
    world = World(settings.home / "evals")
    started, t0 = datetime.now(UTC), time.perf_counter()
    err_console.print("[dim]preparing the eval world (demo KB, intent examples)…[/dim]")
    world.prepare()
    with Progress(TextColumn("[bold]heldout"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[last]}"), console=err_console) as bar:
        task = bar.add_task("cases", total=len(cases), last="")
        results = HeldoutRunner(world, answer_order=answer_order).run(
            cases, jobs=jobs, progress=lambda r: bar.update(task, advance=1, last=r.id))
    meta = {"half": half, "languages": sorted(set(lang or [])), "engine": "offline", "answer_order": answer_order,
            "started": started.isoformat(timespec="seconds"), "duration_s": round(time.perf_counter() - t0, 1)}
    report = build(results, meta)
    text = markdown(report, title=f"Held-out understanding set ({half} half)")
    console.print(text, markup=False, highlight=False)
    if json_out:
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if md_out:
        md_out.write_text(text, encoding="utf-8")
