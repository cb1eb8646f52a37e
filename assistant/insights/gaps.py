"""Knowledge gaps: shopper questions the assistant could not answer or answered unsure, grouped by meaning, with
the closest help-centre card: the list a help-centre writer works from.

A question is a gap when the classifier was unsure of it, when it was heard as a help-centre question but the
answer cited no passage, or when it was about nothing the assistant handles. Questions are grouped greedily: each
joins the first group whose first question is within SIMILAR cosine (e5 embeddings, any language), so the same
question asked in Thai and in Spanish lands in one group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, select

from assistant.insights.gloss import Glosser
from assistant.insights.model import Gap, GapSample
from assistant.nlu.intents import MIN_CONFIDENCE
from assistant.storage import schema as t

if TYPE_CHECKING:
    from assistant.runtime import Services

SIMILAR = 0.88
MIN_LETTERS = 8  # "ok", "??" and the like are not questions
MAX_GAPS = 30


def gap_messages(conn: Connection, session_ids: Sequence[str]) -> list[dict[str, Any]]:
    m = t.messages.c
    out: list[dict[str, Any]] = []
    for start in range(0, len(session_ids), 500):
        chunk = list(session_ids[start:start + 500])
        rows = conn.execute(select(m.session_id, m.role, m.text, m.language, m.intent, m.confidence, m.meta)
                            .where(m.session_id.in_(chunk)).order_by(m.session_id, m.id)).mappings().all()
        for i, row in enumerate(rows):
            if row["role"] != "shopper" or not row["intent"] or sum(ch.isalpha() for ch in row["text"]) < MIN_LETTERS:
                continue
            reply = rows[i + 1] if i + 1 < len(rows) and rows[i + 1]["session_id"] == row["session_id"] else None
            cited = bool(reply and reply["role"] == "assistant" and (reply["meta"] or {}).get("citations"))
            unsure = row["confidence"] is not None and row["confidence"] < MIN_CONFIDENCE
            if unsure or row["intent"] == "other" or (row["intent"] == "policy_question" and not cited):
                out.append(dict(row))
    return out


def cluster(vectors: np.ndarray, threshold: float = SIMILAR) -> list[list[int]]:
    """Greedy leader clustering over unit vectors: pure, deterministic, in input order."""
    leaders: list[int] = []
    groups: list[list[int]] = []
    for i, v in enumerate(vectors):
        if leaders:
            sims = vectors[leaders] @ v
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                groups[best].append(i)
                continue
        leaders.append(i)
        groups.append([i])
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def knowledge_gaps(conn: Connection, services: Services, session_ids: Sequence[str]) -> list[Gap]:
    rows = gap_messages(conn, session_ids)
    if not rows:
        return []
    vectors = np.asarray(services.embedder.embed_queries([r["text"] for r in rows]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    gaps = []
    for group in cluster(vectors)[:MAX_GAPS]:
        members = [rows[i] for i in group]
        english = next((r["text"] for r in members if r["language"] == "en"), None)
        hits = services.kb.search(members[0]["text"], k=1, lang="en", query_vector=vectors[group[0]])
        gaps.append(Gap(count=len(group), samples=[GapSample(text=r["text"], language=r["language"])
                                                   for r in members[:3]],
                        gloss=english, gloss_source="shopper" if english else None,
                        closest_card=hits[0].title if hits else None,
                        closest_card_url=hits[0].url if hits else None))
    return translated(gaps, services.glosser)


def translated(gaps: list[Gap], glosser: Glosser | None) -> list[Gap]:
    """Gaps no shopper worded in English get the language model's translation of their first sample."""
    untold = [g for g in gaps if g.gloss is None]
    if glosser is None or not untold:
        return gaps
    for gap, text in zip(untold, glosser.gloss([g.samples[0].text for g in untold]), strict=True):
        if text:
            gap.gloss, gap.gloss_source = text, "translation"
    return gaps
