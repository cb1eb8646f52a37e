"""Which product the shopper means, heard by meaning: "die Turnschuhe", "рюкзак", "the mini drone".

Item names are the store's (often English) catalogue names, so words alone miss most languages. The turn's
embedding (already computed) is compared with the embedded names of the candidates; a name is taken only when it
is nearer than a few generic anchors ("my order", "the package": a message that names no product sits closer to
those) and clearly nearer than the next candidate's names. Name embeddings are cached in memory: a shop's
catalogue is small and each name is embedded once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from knowledge.embedders import Embedder

# Messages that name no product: "I want to return my order" sits closer to these than to any item name.
ANCHORS = ("my order", "the package", "my purchase", "the item", "the product")
# e5 cosines, set on hand-written probes in 10 languages (correct picks led by ≥0.013, product-less messages by
# ≤0.006): the chosen candidate leads the next one by this much.
MIN_LEAD = 0.01
MAX_CACHED = 5000


class ItemNamer:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._anchors = self._embed(list(ANCHORS))

    def _embed(self, names: list[str]) -> np.ndarray:
        with self._lock:
            missing = [n for n in dict.fromkeys(names) if n not in self._vectors]
            if missing:
                if len(self._vectors) + len(missing) > MAX_CACHED:
                    self._vectors.clear()
                for name, vector in zip(missing, self.embedder.embed_queries(missing), strict=True):
                    self._vectors[name] = np.asarray(vector, dtype=np.float32)
            return np.stack([self._vectors[n] for n in names])

    def pick(self, vector: np.ndarray, groups: Sequence[Sequence[str]]) -> int | None:
        """The index of the group (an order's item names, or one item's name) the message means, or None when it
        names none of them clearly."""
        names = [n for group in groups for n in group]
        if len(groups) < 2 or not names:
            return None
        query = np.asarray(vector, dtype=np.float32)
        sims = self._embed(names) @ query
        best_per_group, i = [], 0
        for group in groups:
            best_per_group.append(float(sims[i:i + len(group)].max()) if group else -1.0)
            i += len(group)
        order = np.argsort(best_per_group)[::-1]
        top, runner_up = best_per_group[order[0]], best_per_group[order[1]]
        anchor = float((self._anchors @ query).max())
        if top <= anchor or top - runner_up < MIN_LEAD:
            return None
        return int(order[0])
