"""Intent classification: kNN over multilingual embeddings of example utterances (assistant/intents/*.yaml).

The example embeddings are cached on disk (embedding_cache.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.nlu.embedding_cache import cached_query_embeddings, digest
from knowledge.embedders import Embedder

INTENTS = ("order_status", "return_request", "exchange_request", "refund_status", "cancel_order",
           "change_address", "policy_question", "payment_issue", "human_agent", "greeting", "other",
           "privacy_access", "privacy_erasure")
K = 7
MIN_CONFIDENCE = 0.45  # below this share of the neighbourhood vote the engine asks a clarifying question
MIN_SIMILARITY = 0.80  # e5 cosine; below this the nearest example is not really near


@dataclass(frozen=True)
class IntentScore:
    intent: str
    confidence: float  # share of the similarity-weighted vote among the k nearest examples
    similarity: float  # cosine to the nearest example of that intent
    language_hint: str | None  # the language of the nearest example

    @property
    def low(self) -> bool:
        return self.confidence < MIN_CONFIDENCE or self.similarity < MIN_SIMILARITY


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    intents: list[str]
    langs: list[str]

    def digest(self, embedder_name: str) -> str:
        return digest(embedder_name, zip(self.langs, self.intents, self.texts, strict=True))


def load_examples(folder: Path | None = None) -> Examples:
    texts: list[str] = []
    intents: list[str] = []
    langs: list[str] = []
    files: list[Any]
    if folder is None:
        files = sorted((f for f in resources.files("assistant.intents").iterdir() if f.name.endswith(".yaml")),
                       key=lambda f: f.name)
    else:
        files = sorted(folder.glob("*.yaml"))
    for f in files:
        lang = f.name.removesuffix(".yaml")
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for intent, utterances in data.items():
            if intent not in INTENTS:
                raise ValueError(f"{f.name}: unknown intent {intent!r}")
            for u in utterances or []:
                texts.append(str(u))
                intents.append(intent)
                langs.append(lang)
    return Examples(texts, intents, langs)


def score(similarities: np.ndarray, intents: list[str], langs: list[str], k: int = K) -> list[IntentScore]:
    """Pure kNN vote: similarity-weighted votes of the k nearest examples, ranked."""
    if similarities.size == 0:
        return [IntentScore("other", 0.0, 0.0, None)]
    top = np.argsort(-similarities)[:k]
    weights: dict[str, float] = {}
    nearest: dict[str, tuple[float, str]] = {}
    for idx in top:
        sim = float(similarities[idx])
        w = max(sim, 0.0) ** 4  # sharpen: close neighbours count much more
        weights[intents[idx]] = weights.get(intents[idx], 0.0) + w
        if intents[idx] not in nearest:
            nearest[intents[idx]] = (sim, langs[idx])
    total = sum(weights.values()) or 1.0
    ranked = sorted(weights, key=lambda i: -weights[i])
    return [IntentScore(i, weights[i] / total, nearest[i][0], nearest[i][1]) for i in ranked]


class IntentClassifier:
    def __init__(self, embedder: Embedder, cache_dir: Path | None = None, examples: Examples | None = None) -> None:
        self.embedder = embedder
        self.examples = examples or load_examples()
        self.matrix = self._embed(cache_dir)

    def _embed(self, cache_dir: Path | None) -> np.ndarray:
        # Utterances are short questions like the shopper's: embed them as queries (symmetric similarity).
        return cached_query_embeddings(self.embedder, self.examples.texts, self.examples.digest(self.embedder.name),
                                       cache_dir, "intents")

    def classify(self, vector: np.ndarray) -> list[IntentScore]:
        return score(self.matrix @ np.asarray(vector, dtype=np.float32), self.examples.intents,
                     self.examples.langs)
