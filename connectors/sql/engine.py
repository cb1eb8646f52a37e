"""Engine creation: any SQLAlchemy URL; SQLite gets the pragmas an embedded store wants, PostgreSQL a pool sized
for the server's threads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(_psycopg(url))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    elif parsed.get_backend_name() == "postgresql":
        # A turn may hold two connections (its session's advisory lock and its queries) on each of the server's
        # 40 worker threads; a connection the database closed is replaced, not handed out.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 60)
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache per connection
    cur.execute("PRAGMA mmap_size=268435456")  # read hot pages without a syscall each
    cur.close()


def _psycopg(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 (the `postgres` extra), not SQLAlchemy's psycopg2 default."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
