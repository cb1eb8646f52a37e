"""English wordings of knowledge-gap questions asked only in other languages, for the help-centre writer.

The offline engine has no translator, so without a configured language model a gap keeps only its own-language
samples (and an English one when some shopper asked in English). With PORTSIDE_LLM set, the leaders of the gaps
that lack an English sample are translated in one call. A translation is a reading aid, never a decision; a
failing provider leaves the gloss empty and the report is built anyway.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

log = logging.getLogger(__name__)

MAX_CACHED = 2000
PROMPT = ("You translate short customer-service messages into plain English for a help-centre writer. You get a "
          "JSON array of messages; answer with a JSON array of the same length holding one English translation per "
          "message, in order, and nothing else.")


class Glosser(Protocol):
    def gloss(self, texts: Sequence[str]) -> list[str | None]: ...


class ModelGlosser:
    """Translations by a LangChain chat model, remembered per text (a dashboard reloads the same gaps)."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def gloss(self, texts: Sequence[str]) -> list[str | None]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            found = self._translate(missing)
            with self._lock:
                if len(self._cache) + len(found) > MAX_CACHED:
                    self._cache.clear()
                self._cache.update(found)
        with self._lock:
            return [self._cache.get(t) for t in texts]

    def _translate(self, texts: list[str]) -> dict[str, str]:
        try:
            reply = self.model.invoke([SystemMessage(PROMPT),
                                       HumanMessage(json.dumps(texts, ensure_ascii=False))])
        except Exception as exc:  # noqa: BLE001 - any provider failure: the report goes out without glosses
            log.warning("gap glosses unavailable: %s", type(exc).__name__)
            return {}
        translations = parse_translations(str(reply.content), len(texts))
        return dict(zip(texts, translations, strict=True)) if translations else {}


def parse_translations(content: str, count: int) -> list[str]:
    """The model's JSON array (inside a code fence or not); anything else, or the wrong length, is no answer."""
    match = re.search(r"\[.*\]", content, re.S)
    try:
        values = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        values = None
    if not isinstance(values, list) or len(values) != count or not all(isinstance(v, str) for v in values):
        log.warning("gap glosses: the model's answer is not a list of %d strings", count)
        return []
    return [v.strip()[:500] for v in values]
