"""PostgreSQL, Redis and a Chroma server for the tests: each started on a free 127.0.0.1 port in its own temporary
folder, waited for, and stopped afterwards. A missing program is an error that names the package to install, never a
skip: a suite that skips because a service is missing would look like a pass."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

READY_SECONDS = 60.0


class ServiceError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def _wait(ready: Callable[[], bool], proc: subprocess.Popen[bytes] | None, log: Path, what: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        try:
            if ready():
                return
        except Exception:  # not listening yet
            pass
        time.sleep(0.2)
    raise ServiceError(f"{what} was not ready in {READY_SECONDS:.0f} s:\n{_tail(log)}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                                                   key=lambda p: int(p.split("/")[4]), reverse=True)), None)
    if not found:
        raise ServiceError(f"PostgreSQL's {name} is missing: apt-get install postgresql")
    return found


@contextmanager
def postgres() -> Iterator[str]:
    """A throw-away cluster (fsync off: the data dies with the test run). Yields a SQLAlchemy URL."""
    initdb, postgres_ = _pg_bin("initdb"), _pg_bin("postgres")
    as_user: list[str] = []
    # Its own folder in /tmp, not under pytest's (mode 700 for root), which the postgres user could not enter.
    root = Path(tempfile.mkdtemp(prefix="portside-pg-"))
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root: Debian's package made a postgres user
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data, log, port = root / "data", root / "postgres.log", free_port()
    init = subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync",
                           "-E", "UTF8"], capture_output=True, text=True)
    if init.returncode != 0:
        raise ServiceError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    with log.open("wb") as out:
        proc = subprocess.Popen([*as_user, postgres_, "-D", str(data), "-p", str(port), "-k", str(root),
                                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                                 "-c", "full_page_writes=off", "-c", "max_connections=300"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def ready() -> bool:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=2):
            return True

    try:
        _wait(ready, proc, log, "postgres")
        yield url
    finally:
        _stop(proc)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis(root: Path) -> Iterator[str]:
    exe = shutil.which("redis-server")
    if not exe:
        raise ServiceError("redis-server is missing: apt-get install redis-server")
    root.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), root / "redis.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", str(root)], stdout=out, stderr=subprocess.STDOUT)

    def ready() -> bool:
        import redis as redis_py

        return bool(redis_py.Redis(host="127.0.0.1", port=port, socket_timeout=2).ping())

    try:
        _wait(ready, proc, log, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)


@contextmanager
def chroma(root: Path) -> Iterator[str]:
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        raise ServiceError("the chroma command is missing: pip install chromadb")
    root.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), root / "chroma.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(exe), "run", "--path", str(root / "data"), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200, proc, log, "chroma")
        yield url
    finally:
        _stop(proc)


def create_database(server_url: str, prefix: str = "t") -> str:
    """A new empty database on the cluster at `server_url`; returns its SQLAlchemy URL."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin_dsn(server_url), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def admin_dsn(server_url: str) -> str:
    """The libpq form of the cluster's maintenance database URL (psycopg does not read SQLAlchemy's +driver)."""
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
