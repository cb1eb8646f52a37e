"""privacy requests decided by staff, every Slack message Portside posted, an append-only audit log, named staff
tokens and PII-free erasure records

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.storage.append_only import statements
from connectors.sql.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NEW_REQUEST_COLUMNS = [
    sa.Column("customer_id", sa.String(length=64), nullable=True),
    sa.Column("session_id", sa.String(length=64), nullable=True),
    sa.Column("language", sa.String(length=8), nullable=True),
    sa.Column("law", sa.String(length=16), nullable=True),
    sa.Column("decided_by", sa.String(length=160), nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("decision_note", sa.Text(), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("privacy_requests") as batch:
        for column in NEW_REQUEST_COLUMNS:
            batch.add_column(column)
    op.create_table(
        "slack_messages",
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("ts", sa.String(length=40), nullable=False),
        sa.Column("handoff_id", sa.String(length=40), nullable=True),
        sa.Column("privacy_request_id", sa.String(length=40), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "ts"),
    )
    op.create_index("ix_slack_messages_handoff_id", "slack_messages", ["handoff_id"])
    op.create_index("ix_slack_messages_privacy_request_id", "slack_messages", ["privacy_request_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=160), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor", "at"])
    for sql in statements("audit_log", op.get_bind().dialect.name):
        op.execute(sql)
    op.create_table(
        "staff_tokens",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=160), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("erasures")
    op.drop_table("staff_tokens")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index("ix_slack_messages_privacy_request_id", table_name="slack_messages")
    op.drop_index("ix_slack_messages_handoff_id", table_name="slack_messages")
    op.drop_table("slack_messages")
    with op.batch_alter_table("privacy_requests") as batch:
        for column in reversed(NEW_REQUEST_COLUMNS):
            batch.drop_column(column.name)
