"""Conversation-side tables (sessions, messages, handoffs, returns, events, outbox), beside the store's."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from assistant.storage.append_only import protect
from connectors.sql.schema import UTCDateTime

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("language", String(8)),
    Column("customer_id", String(64), index=True),  # set once verified
    Column("verified_via", String(16)),
    Column("status", String(16), nullable=False, default="bot"),  # bot | handoff | closed
    Column("state", JSON, nullable=False),  # DialogueState
    Column("csat", Integer),
    Column("csat_comment", Text),
    Column("client", String(64)),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),  # shopper | assistant | staff | system
    Column("text", Text, nullable=False),  # already redacted
    Column("language", String(8)),
    Column("intent", String(32)),
    Column("confidence", Float),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("meta", JSON, nullable=False),
    Index("ix_messages_session", "session_id", "id"),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("state", String(10), nullable=False),  # open | claimed | resolved
    Column("language", String(8)),
    Column("customer_id", String(64)),
    Column("order_id", String(64)),
    Column("summary", Text, nullable=False),
    Column("packet", JSON, nullable=False),
    Column("claimed_by", String(120)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("resolved_at", UTCDateTime()),
    Index("ix_handoffs_state", "state", "created_at"),
    Index("ix_handoffs_session", "session_id", "state"),
)

returns = Table(
    "returns",
    metadata,
    Column("rma_id", String(40), primary_key=True),
    Column("idem_key", String(64), nullable=False, unique=True),  # session + order + items + kind
    Column("kind", String(10), nullable=False),  # return | exchange
    Column("session_id", String(64)),
    Column("order_id", String(64), nullable=False, index=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("country", String(2)),
    Column("items", JSON, nullable=False),
    Column("reason", String(32)),
    Column("eligible", Boolean, nullable=False),
    Column("reason_code", String(40), nullable=False),
    Column("refund_amount", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("refund_method", String(32)),
    Column("return_required", Boolean, nullable=False),
    Column("fee", Float, nullable=False, default=0),
    Column("hub", String(8)),
    Column("status", String(24), nullable=False),  # approved | awaiting_approval | rejected | refunded
    Column("detail", JSON, nullable=False),
    Column("decided_by", String(120)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# One row per unit of an order line that a return or exchange holds: the primary key makes two confirmations of the
# same item (any session, any channel, any server) unable to both hold it. A rejected return releases its units.
return_units = Table(
    "return_units",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("unit", Integer, primary_key=True),  # 1..quantity ordered
    Column("rma_id", String(40), nullable=False, index=True),
)

# Failed guest verifications, counted across sessions per order, per customer and per client address, with a
# lockout that grows each time a key is locked again (assistant/verification/lockout.py).
verify_failures = Table(
    "verify_failures",
    metadata,
    Column("key", String(200), primary_key=True),  # order:<id or ref> | customer:<id> | client:<address>
    Column("failures", Integer, nullable=False),  # since the last lockout, within the policy's window
    Column("level", Integer, nullable=False),  # lockouts so far; the next one lasts lockout_minutes * 2**level
    Column("last_at", UTCDateTime(), nullable=False),
    Column("locked_until", UTCDateTime()),
)

# What the parcel tracker knows of each shipment beyond the store's own shipment row: registered once, when it
# was last checked, and the provider's sub-status.
tracking_state = Table(
    "tracking_state",
    metadata,
    Column("tracking_number", String(64), primary_key=True),
    Column("provider", String(16), nullable=False),
    Column("order_id", String(64), nullable=False, index=True),
    Column("registered_at", UTCDateTime()),
    Column("checked_at", UTCDateTime()),
    Column("detail", String(64)),
    Column("duties_due", Boolean, nullable=False, default=False),
)

# Each tracking event tells the shopper (and, per policy, staff) once.
tracking_notices = Table(
    "tracking_notices",
    metadata,
    Column("tracking_number", String(64), primary_key=True),
    Column("kind", String(32), primary_key=True),  # a NoticeKind: customs_hold, lost, stalled…
    Column("order_id", String(64), nullable=False),
    Column("session_id", String(64)),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Webhooks from outside systems, stored (after their signature is checked) before anything acts on them, deduped
# by the provider's event id; processed_at stays empty until the work is done, so a failure is retried.
inbound_webhooks = Table(
    "inbound_webhooks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("topic", String(64)),
    Column("payload", Text, nullable=False),
    Column("headers", JSON),  # what the signature check needs, so a failed delivery can be parsed again later
    Column("received_at", UTCDateTime(), nullable=False),
    Column("processed_at", UTCDateTime()),
    Column("error", Text),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_events_session", "session_id", "id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(32), nullable=False),
    Column("dedupe_key", String(120), nullable=False, unique=True),
    Column("payload", JSON, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("done_at", UTCDateTime()),
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    # A worker claims a row before delivering it; another may take it over only once the lease has run out.
    Column("claimed_by", String(64)),
    Column("lease_until", UTCDateTime()),
    Index("ix_outbox_due", "done_at", "next_attempt_at"),
)

# Slack: where each handoff was posted (for updates and thread replies), and staff replies already relayed.
slack_posts = Table(
    "slack_posts",
    metadata,
    Column("handoff_id", String(40), primary_key=True),
    Column("channel", String(40), nullable=False),
    Column("ts", String(40), nullable=False, index=True),
)

slack_relayed = Table(
    "slack_relayed",
    metadata,
    Column("message_key", String(80), primary_key=True),  # channel:ts of a staff reply: relayed once
)

# Data-subject requests (GDPR, CCPA/CPRA, PIPL) from a platform's mandatory privacy webhooks or a shopper: kept
# with their legal deadline until staff fulfil or refuse them.
privacy_requests = Table(
    "privacy_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("source", String(32), nullable=False),  # shopify | woocommerce | chat
    Column("kind", String(32), nullable=False),  # data_request | redact | shop_redact
    Column("customer_ref", String(200)),  # the platform's customer id
    Column("email", String(320)),
    Column("order_ids", JSON, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # open | fulfilled | refused
    Column("received_at", UTCDateTime(), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("customer_id", String(64)),  # Portside's customer, once known (a verified shopper, a matched email)
    Column("session_id", String(64)),  # the chat it was asked in
    Column("language", String(8)),
    Column("law", String(16)),  # the law whose deadline applies: GDPR, CCPA, LGPD, PIPL…
    Column("decided_by", String(160)),
    Column("decided_at", UTCDateTime()),
    Column("decision_note", Text),  # why it was refused, or what was done
    Index("ix_privacy_requests_state", "state", "due_at"),
)

# Every Slack message Portside posted (handoff posts, shopper messages in their threads, privacy requests), so an
# erasure can delete them all.
slack_messages = Table(
    "slack_messages",
    metadata,
    Column("channel", String(40), primary_key=True),
    Column("ts", String(40), primary_key=True),
    Column("handoff_id", String(40), index=True),
    Column("privacy_request_id", String(40), index=True),
    Column("posted_at", UTCDateTime(), nullable=False),
)

# Append-only: database triggers refuse UPDATE and DELETE (assistant/audit/log.py). Entries name ids, never
# personal data, so an erasure leaves them in place.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(160), nullable=False),  # staff token name, slack:<user id>, cli:<os user>, system
    Column("channel", String(16), nullable=False),  # api | slack | cli | system | webhook | chat
    Column("action", String(48), nullable=False),
    Column("target", String(120)),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_actor", "actor", "at"),
)
protect(audit_log)

# Named staff API tokens: only a SHA-256 of the secret is kept; revoked tokens stay for the audit trail.
staff_tokens = Table(
    "staff_tokens",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(160), nullable=False),
    Column("revoked_at", UTCDateTime()),
    Column("last_used_at", UTCDateTime()),
)

# That an erasure happened, without saying whose: what was removed, by whom, for which request.
erasures = Table(
    "erasures",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(160), nullable=False),
    Column("request_id", String(40)),
    Column("counts", JSON, nullable=False),
)
