"""Scale-out: throughput and p95 of 1, 2 and 3 `portside serve` workers behind a round-robin proxy, on one
PostgreSQL, one Redis and one Chroma server (all started here, on 127.0.0.1), plus one worker's turn latency on
PostgreSQL against the embedded SQLite default. Ratios are against the 1-worker (and SQLite) rows of the same run.

Usage: python bench/scale_out.py [--sessions 24] [--turns 8] [--workers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import console, pct, print_table  # noqa: E402
from tests import services  # noqa: E402

MESSAGES = ["Hola", "How long does shipping to Brazil take?", "Posso pagar com boleto?", "I want to talk to a human",
            "Quelle est votre politique de retour ?", "Wie lange dauert der Versand?", "أين طلبي؟", "返品できますか",
            "Pesanan saya di mana?", "What is your warranty?", "Can I pay with OXXO?", "thanks!"]
NOW = "2026-11-26T12:00:00Z"


def start_worker(home: Path, env: dict[str, str], demo: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = services.free_port()
    home.mkdir(parents=True, exist_ok=True)
    full = {**{k: v for k, v in os.environ.items() if not k.startswith("PORTSIDE_")}, **env,
            "PORTSIDE_HOME": str(home), "PORTSIDE_NOW": NOW, "PORTSIDE_RATE_LIMIT_IP": "1000000/minute",
            "PORTSIDE_RATE_LIMIT_SESSION": "1000000/minute", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    args = [sys.executable, "-m", "assistant.cli.main", "serve", "--port", str(port), *(["--demo"] if demo else [])]
    proc = subprocess.Popen(args, env=full, stdout=subprocess.DEVNULL, stderr=(home / "server.log").open("wb"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited: {(home / 'server.log').read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("worker did not start")


class RoundRobinProxy:
    """A TCP proxy handing each new connection to the next worker, as a simple load balancer would."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = itertools.cycle(backends)
        self.port = services.free_port()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):  # the bench closing the proxy
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", next(self.backends))
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def serve(self) -> asyncio.Server:
        return await asyncio.start_server(self._client, "127.0.0.1", self.port)


async def load(url: str, sessions: int, turns: int) -> tuple[list[float], int, float]:
    """`sessions` shoppers at once, each with its own connection, `turns` messages each, no think time."""
    latencies: list[float] = []
    errors = 0

    async def shopper(n: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            session_id = None
            for t in range(turns):
                body = {"message": MESSAGES[(n + t) % len(MESSAGES)], "client_id": uuid.uuid4().hex}
                if session_id:
                    body["session_id"] = session_id
                start = time.perf_counter()
                r = await http.post("/v1/chat", json=body)
                latencies.append(time.perf_counter() - start)
                if r.status_code != 200:
                    errors += 1
                    continue
                session_id = r.json()["session_id"]

    start = time.perf_counter()
    await asyncio.gather(*(shopper(n) for n in range(sessions)))
    return latencies, errors, time.perf_counter() - start


async def through_proxy(ports: list[int], sessions: int, turns: int) -> tuple[list[float], int, float]:
    proxy = RoundRobinProxy(ports)
    server = await proxy.serve()
    async with server:
        return await load(f"http://127.0.0.1:{proxy.port}", sessions, turns)


def sequential_latency(url: str, turns: int) -> list[float]:
    out = []
    with httpx.Client(base_url=url, timeout=60) as http:
        session_id = None
        for t in range(turns):
            body = {"message": MESSAGES[t % len(MESSAGES)]}
            if session_id:
                body["session_id"] = session_id
            start = time.perf_counter()
            r = http.post("/v1/chat", json=body)
            out.append(time.perf_counter() - start)
            session_id = r.json()["session_id"]
    return out


@contextlib.contextmanager
def stack(root: Path) -> Iterator[dict[str, str]]:
    with services.postgres() as pg, services.redis(root / "redis") as redis, services.chroma(root / "chroma") as ch:
        yield {"PORTSIDE_DATABASE_URL": services.create_database(pg, "bench"), "PORTSIDE_REDIS_URL": redis,
               "PORTSIDE_CHROMA_URL": ch}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=24)
    ap.add_argument("--turns", type=int, default=8)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--omp-threads", type=int, default=0,
                    help="OMP_NUM_THREADS for each worker (the embedder's OpenMP team); 0: the library's default.")
    ap.add_argument("--no-sqlite", action="store_true", help="Skip the PostgreSQL-vs-SQLite latency table.")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="portside-scale-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with stack(root) as env:
            if args.omp_threads:
                env["OMP_NUM_THREADS"] = str(args.omp_threads)
            ports = []
            for i in range(args.workers):  # one at a time: the first creates the schema, demo store and KB
                proc, url = start_worker(root / f"w{i}", env, demo=True)
                procs.append(proc)
                ports.append(int(url.rsplit(":", 1)[1]))
                if i == 0:
                    console.print("warm-up: first worker ready")
            for port in ports:  # every worker warm (embedder, caches) before anything is measured
                asyncio.run(load(f"http://127.0.0.1:{port}", 4, 6))
            rows = []
            base_tput = 0.0
            for n in range(1, args.workers + 1):
                latencies, errors, elapsed = asyncio.run(through_proxy(ports[:n], args.sessions, args.turns))
                tput = len(latencies) / elapsed
                base_tput = base_tput or tput
                rows.append((f"{n} worker(s)", len(latencies), errors, tput, tput / base_tput,
                             pct(latencies, 50) * 1000, pct(latencies, 95) * 1000))
            omp = f", OMP_NUM_THREADS={args.omp_threads}" if args.omp_threads else ""
            print_table(f"scale-out: {args.sessions} concurrent sessions x {args.turns} turns, {os.cpu_count()} cores"
                        f"{omp}",
                        ["topology", "turns", "errors", "turns/s", "× 1 worker", "p50 ms", "p95 ms"], rows)
            pg_lat = sequential_latency(f"http://127.0.0.1:{ports[0]}", 60)
        if args.no_sqlite:
            return
        for p in procs:
            p.terminate()
        procs.clear()
        sqlite_proc, sqlite_url = start_worker(root / "sqlite", {}, demo=True)
        procs.append(sqlite_proc)
        sequential_latency(sqlite_url, 8)  # warm-up
        lite_lat = sequential_latency(sqlite_url, 60)
        lite_p50, lite_p95 = pct(lite_lat, 50) * 1000, pct(lite_lat, 95) * 1000
        pg_p50, pg_p95 = pct(pg_lat, 50) * 1000, pct(pg_lat, 95) * 1000
        print_table("one worker, one shopper at a time (60 turns)", ["database", "p50 ms", "p95 ms", "p50 × SQLite"],
                    [("SQLite (embedded)", lite_p50, lite_p95, 1.0), ("PostgreSQL", pg_p50, pg_p95, pg_p50 / lite_p50)])
    finally:
        for p in procs:
            p.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=15)


if __name__ == "__main__":
    main()
