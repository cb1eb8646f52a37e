"""Shared CLI plumbing: settings, services, consoles, and turning errors into exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape

from assistant.runtime import Services
from assistant.settings import Settings

console = Console()
err_console = Console(stderr=True)


class CliError(Exception):
    """A user-facing failure: printed in red, exit code 1 (or the given code)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def services_ctx() -> Iterator[Services]:
    try:
        services = Services(Settings())
    except Exception as exc:  # settings validation: show which variable is wrong
        err_console.print(f"[red]configuration error:[/red] {escape(str(exc))}")
        sys.exit(2)
    try:
        yield services
    finally:
        services.close()
