# ruff: noqa: E501
"""rollout domain: initial schema.

Revision ID: rollout_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from campusguard.core.db import UTCDateTime

JSON_T = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")

revision: str = "rollout_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("rollout",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('rollout_checklists',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('alarm_installed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('alarm_tested_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('alarm_networked_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('cameras_networked_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('face_online_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('police_signed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_by', sa.String(length=128), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('evidence', JSON_T, nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_rollout_checklists'))
    )
    op.create_table('rollout_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('items', JSON_T, nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_phases'))
    )


def downgrade() -> None:
    op.drop_table('rollout_phases')
    op.drop_table('rollout_checklists')
