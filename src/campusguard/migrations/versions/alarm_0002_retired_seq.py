"""Device-event dedup with a time window: a sequence number reused later (device reboot) retires the old one.

Revision ID: alarm_0002
Revises: alarm_0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "alarm_0002"
down_revision: str | Sequence[str] | None = "alarm_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alarm_device_events") as batch:
        batch.add_column(sa.Column("retired_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alarm_device_events") as batch:
        batch.drop_column("retired_seq")
