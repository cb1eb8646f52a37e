"""Build the long-lived services once from settings; channels and the CLI share them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from assistant import i18n
from assistant.clock import Clock, SystemClock
from assistant.metrics import Counters
from assistant.nlu import language
from assistant.nlu.intents import IntentClassifier
from assistant.nlu.lexicon import LANGUAGES
from assistant.policy.config import Policy, load_policy
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.events import EventBus
from assistant.storage.locks import SessionLocks
from assistant.storage.notify import make_notifier
from assistant.storage.outbox import Outbox
from connectors.registry import make_store
from connectors.sql.engine import make_engine
from connectors.sql.store import SqlStore
from knowledge.base import KnowledgeBase
from knowledge.embedders import Embedder, get_embedder

if TYPE_CHECKING:
    from assistant.audit import AuditLog
    from assistant.handoffs.service import HandoffService
    from assistant.insights.gloss import Glosser
    from assistant.nlu.item_meaning import ItemNamer
    from assistant.nlu.reason_meaning import ReasonMatcher
    from assistant.platform.writes import PlatformWrites
    from assistant.privacy.requests import PrivacyRequests
    from assistant.returns.service import ReturnService
    from assistant.staff.tokens import StaffTokens
    from assistant.tracking.service import TrackingService
    from assistant.verification.lockout import Lockout
    from connectors.platforms.base import Platform


@dataclass
class Services:
    settings: Settings
    # Called inside the handoff's transaction (conn, row): the Slack outbox registers here.
    handoff_hooks: list[Callable[[Any, dict[str, Any]], None]] = field(default_factory=list)
    # Called with (session_id, handoff_id, text, message_id) when a shopper writes while a person holds the chat.
    shopper_message_hooks: list[Callable[[str, str | None, str, int], None]] = field(default_factory=list)
    # Called with (handoff_id, version) after a handoff (or its return draft) changed state.
    handoff_change_hooks: list[Callable[[str, str], None]] = field(default_factory=list)
    # Called inside the transaction that queues a privacy request (conn, row): Slack posts it for staff.
    privacy_hooks: list[Callable[[Any, dict[str, Any]], None]] = field(default_factory=list)
    metrics: Counters = field(default_factory=Counters)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def store(self) -> SqlStore:
        """The embedded SQL store, or the local mirror of the store platform PORTSIDE_STORE names."""
        if self.settings.store == "sql":
            store: SqlStore = make_store("sql", engine=self.engine)
        else:
            from datetime import timedelta

            from connectors.platforms.mirror import MirroredStore

            store = MirroredStore(self.engine, self.platform, self.clock.now,
                                  max_age=timedelta(seconds=self.settings.mirror_max_age))
        store.create_schema()
        return store

    @cached_property
    def platform(self) -> Platform:
        from connectors.platforms.registry import make_platform

        return make_platform(self.settings.store, self.settings)

    @cached_property
    def platform_writes(self) -> PlatformWrites:
        from assistant.platform.writes import PlatformWrites

        return PlatformWrites(self)

    @cached_property
    def order_pattern(self) -> str:
        """How order numbers look in this store, for recognising them in what shoppers write."""
        from assistant.nlu.slots import order_pattern

        extra = self.settings.order_pattern or (self.platform.order_pattern if self.settings.store != "sql" else "")
        return order_pattern(extra)

    @cached_property
    def conversations(self) -> ConversationStore:
        conv = ConversationStore(self.engine, self.clock)
        conv.create_schema()
        return conv

    @cached_property
    def events(self) -> EventBus:
        self.conversations  # noqa: B018 - the schema must exist first
        return EventBus(self.engine, self.clock, make_notifier(self.engine, self.settings.redis_url or None))

    @cached_property
    def session_locks(self) -> SessionLocks:
        return SessionLocks(self.engine)

    @cached_property
    def intents(self) -> IntentClassifier:
        return IntentClassifier(self.embedder, cache_dir=self.settings.home / "cache")

    @cached_property
    def reasons(self) -> ReasonMatcher:
        from assistant.nlu.reason_meaning import ReasonMatcher

        return ReasonMatcher(self.embedder, cache_dir=self.settings.home / "cache", intents=self.intents)

    @cached_property
    def glosser(self) -> Glosser | None:
        """English wordings of knowledge gaps: the configured language model, none offline."""
        if self.settings.llm == "offline":
            return None
        from assistant.engine.llm.model import EngineUnavailable, make_chat_model
        from assistant.insights.gloss import ModelGlosser

        try:
            return ModelGlosser(make_chat_model(self.settings))
        except EngineUnavailable:
            return None

    @cached_property
    def items(self) -> ItemNamer:
        from assistant.nlu.item_meaning import ItemNamer

        return ItemNamer(self.embedder)

    @cached_property
    def handoffs(self) -> HandoffService:
        from assistant.handoffs.service import HandoffService

        self.conversations  # noqa: B018 - the schema must exist first
        return HandoffService(self)

    @cached_property
    def returns(self) -> ReturnService:
        from assistant.returns.service import ReturnService

        self.conversations  # noqa: B018 - the schema must exist first
        service = ReturnService(self)
        service.backfill_units()
        return service

    @cached_property
    def audit(self) -> AuditLog:
        from assistant.audit import AuditLog

        self.conversations  # noqa: B018 - the schema must exist first
        return AuditLog(self.engine, self.clock)

    @cached_property
    def staff_tokens(self) -> StaffTokens:
        from assistant.staff.tokens import StaffTokens

        self.conversations  # noqa: B018 - the schema must exist first
        return StaffTokens(self.engine, SystemClock(), legacy_token=lambda: self.settings.staff_token)

    @cached_property
    def privacy(self) -> PrivacyRequests:
        from assistant.privacy.requests import PrivacyRequests

        self.conversations  # noqa: B018 - the schema must exist first
        return PrivacyRequests(self)

    @cached_property
    def outbox(self) -> Outbox:
        self.conversations  # noqa: B018 - the schema must exist first
        return Outbox(self.engine, SystemClock())  # delivery retries run on real time, even with PORTSIDE_NOW

    @cached_property
    def tracking(self) -> TrackingService:
        from assistant.tracking.factory import tracker_from_settings
        from assistant.tracking.service import TrackingService

        self.conversations  # noqa: B018 - the schema must exist first
        return TrackingService(self, tracker_from_settings(self.settings))

    @cached_property
    def lockout(self) -> Lockout:
        from assistant.verification.lockout import Lockout

        self.conversations  # noqa: B018 - the schema must exist first
        return Lockout(self.engine, self.clock, self.policy.verification)

    def handoff_changed(self, handoff_id: str, version: str) -> None:
        for hook in self.handoff_change_hooks:
            hook(handoff_id, version)

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

    def warm_up(self) -> None:
        self.store.counts()
        self.kb  # noqa: B018 - opens Chroma and builds the BM25 index
        self.intents  # noqa: B018 - example embeddings (cached on disk after the first start)
        self.embedder.embed_queries(["warm-up"])
        language.warm_up()
        for lang in LANGUAGES:
            i18n.messages(lang)

    def close(self) -> None:
        if "platform" in self.__dict__:
            self.platform.close()
        if "events" in self.__dict__ and self.events.notifier is not None:
            self.events.notifier.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
