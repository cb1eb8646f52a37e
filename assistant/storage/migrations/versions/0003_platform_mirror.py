"""a store mirrored from Shopify or WooCommerce (where each order came from, backfill cursors) and the privacy
requests platforms send

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connectors.sql.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mirror_orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=False),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_mirror_orders_remote", "mirror_orders", ["platform", "remote_id"])
    op.create_table(
        "sync_runs",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.Column("cursor", sa.String(length=500), nullable=True),
        sa.Column("orders_done", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("platform"),
    )
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("customer_ref", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("order_ids", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_requests_state", "privacy_requests", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_privacy_requests_state", table_name="privacy_requests")
    op.drop_table("privacy_requests")
    op.drop_table("sync_runs")
    op.drop_index("ix_mirror_orders_remote", table_name="mirror_orders")
    op.drop_table("mirror_orders")
