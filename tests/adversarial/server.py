"""A real `portside serve` process on 127.0.0.1 for the adversarial suite: its own home (demo store and KB), a
fake Slack in the test process, and restart/kill, so probes hit what a merchant would run."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from connectors.sql.engine import make_engine

STAFF_TOKEN = "adversarial-staff-token"
SLACK_SECRET = "adversarial-slack-secret"
START_TIMEOUT = 300.0  # the first start ingests the demo KB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, home: Path, slack_url: str, now: str, intent_cache: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        home.mkdir(parents=True, exist_ok=True)
        if intent_cache is not None:  # the test session already embedded the intent examples
            shutil.copytree(intent_cache, home / "cache", dirs_exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PORTSIDE_")},
            "PORTSIDE_HOME": str(home), "PORTSIDE_NOW": now, "PORTSIDE_STAFF_TOKEN": STAFF_TOKEN,
            "PORTSIDE_SLACK_BOT_TOKEN": "xoxb-adversarial", "PORTSIDE_SLACK_SIGNING_SECRET": SLACK_SECRET,
            "PORTSIDE_SLACK_CHANNEL": "C123", "PORTSIDE_SLACK_API_URL": slack_url,
            "PORTSIDE_RATE_LIMIT_SESSION": "1000/minute", "PORTSIDE_RATE_LIMIT_IP": "5000/minute",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
            **(env or {}),
        }

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "assistant.cli.main", "serve", "--demo", "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self.home)

    def wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"portside serve exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"portside serve did not start in {START_TIMEOUT} s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, as a crash or an OOM kill would be."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def db(self) -> Engine:
        """The server's own database, read from the test (SQLite in its home unless it was given one)."""
        return make_engine(self.env.get("PORTSIDE_DATABASE_URL") or f"sqlite:///{self.home / 'portside.db'}")

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)
