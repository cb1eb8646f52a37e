"""WebSocket load: N concurrent sessions x M turns against a server on loopback; p50/p95 turn latency, errors.

Starts its own server (temp data folder, demo store and KB) unless --url points at a running one.
Target: 100 sessions x 10 turns, p95 < 300 ms, 0 errors, on 2 cores.
Usage: python bench/load_ws.py [--sessions 100] [--turns 10] [--url ws://127.0.0.1:8000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import console, pct, print_table  # noqa: E402

MESSAGES = ["Hola", "¿Dónde está mi pedido?", "How long does shipping to Brazil take?", "Posso pagar com boleto?",
            "Quelle est votre politique de retour ?", "Wie lange dauert der Versand?", "أين طلبي؟", "我的包裹在哪里",
            "返品できますか", "Pesanan saya di mana?", "Đơn hàng của tôi ở đâu", "พัสดุของฉันอยู่ที่ไหน",
            "Can I pay with OXXO?", "thanks!", "What is your warranty?", "Siparişim nerede?"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PORTSIDE_HOME": str(home), "PORTSIDE_NOW": "2026-11-26T12:00:00Z",
           "PORTSIDE_RATE_LIMIT_IP": "1000000/minute", "PORTSIDE_RATE_LIMIT_SESSION": "1000000/minute",
           "HF_HUB_OFFLINE": "1"}
    exe = Path(sys.executable).parent / "portside"
    proc = subprocess.Popen([str(exe), "serve", "--demo", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, f"ws://127.0.0.1:{port}"
        except httpx.HTTPError:
            time.sleep(1)
    proc.kill()
    raise RuntimeError("server did not start")


async def session(url: str, turns: int, rng: random.Random, lat: list[float], errors: list[str],
                  think: float) -> None:
    try:
        await asyncio.sleep(rng.uniform(0, think))  # shoppers arrive spread out, not in one instant
        async with websockets.connect(f"{url}/v1/chat/ws", open_timeout=30) as ws:
            for _ in range(turns):
                if think:
                    await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))  # reading and typing
                cid = uuid.uuid4().hex
                start = time.perf_counter()
                await ws.send(json.dumps({"type": "message", "message": rng.choice(MESSAGES), "client_id": cid}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if frame.get("type") == "error":
                        errors.append(frame.get("code", "error"))
                        break
                    if frame.get("type") == "reply" and frame.get("client_id") == cid:
                        lat.append(time.perf_counter() - start)
                        break
    except Exception as exc:  # counted, not fatal: the point is to see them
        errors.append(type(exc).__name__)


async def run(url: str, sessions: int, turns: int, think: float) -> None:
    rng = random.Random(2)
    lat: list[float] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(session(url, turns, random.Random(rng.random()), lat, errors, think)
                           for _ in range(sessions)))
    wall = time.perf_counter() - t0
    print_table(f"WebSocket load: {sessions} concurrent sessions x {turns} turns, think time ~{think:g} s",
                ["", "value"], [("turns answered", len(lat)), ("errors", len(errors)),
                                ("p50 turn latency ms", pct(lat, 50) * 1000),
                                ("p95 turn latency ms", pct(lat, 95) * 1000),
                                ("throughput turns/s", len(lat) / wall)])
    p95 = pct(lat, 95) * 1000
    console.print(f"p95 {p95:.0f} ms (target < 300: {'yes' if p95 < 300 else 'NO'}), errors {len(errors)} "
                  f"(target 0: {'yes' if not errors else 'NO'}) {sorted(set(errors))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--url", default=None)
    parser.add_argument("--home", type=Path, help="server data folder to reuse (its KB is then already ingested)")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds between a reply and the next message "
                        "(0 = all sessions fire back to back)")
    args = parser.parse_args()
    if args.url:
        asyncio.run(run(args.url, args.sessions, args.turns, args.think))
        return
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(args.home or Path(tmp))
        try:
            asyncio.run(run(url, args.sessions, args.turns, args.think))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
