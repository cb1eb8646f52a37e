"""Build the long-lived services once from settings; channels and the CLI share them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from assistant.clock import Clock
from assistant.policy.config import Policy, load_policy
from assistant.settings import Settings
from connectors.registry import make_store
from connectors.sql.engine import make_engine
from connectors.sql.store import SqlStore
from knowledge.base import KnowledgeBase
from knowledge.embedders import Embedder, get_embedder


@dataclass
class Services:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def store(self) -> SqlStore:
        store = make_store("sql", engine=self.engine)
        store.create_schema()
        return store

    @cached_property
    def policy(self) -> Policy:
        return load_policy(self.settings.policy_file)

    @cached_property
    def embedder(self) -> Embedder:
        return get_embedder(self.settings.embedder)

    @cached_property
    def kb(self) -> KnowledgeBase:
        return self.open_kb()

    def open_kb(self, *, reset: bool = False) -> KnowledgeBase:
        s = self.settings
        return KnowledgeBase(self.embedder, path=None if s.chroma_url else s.chroma_path, url=s.chroma_url,
                             collection=s.kb_collection, reset=reset)

    @property
    def clock(self) -> Clock:
        return self.settings.clock

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
