# ruff: noqa: E501
"""stats domain: initial schema.

Revision ID: stats_0001
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

revision: str = "stats_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("stats",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('stats_briefings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('district_name', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', JSON_T, nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('xlsx', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_briefings')),
    sa.UniqueConstraint('district_code', 'period', name=op.f('uq_stats_briefings_district_code_period'))
    )
    op.create_index(op.f('ix_stats_briefings_district_code'), 'stats_briefings', ['district_code'], unique=False)
    op.create_table('stats_daily',
    sa.Column('series', sa.String(length=48), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dim', sa.String(length=48), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'day', 'dim', 'school_id', name=op.f('pk_stats_daily')),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_stats_daily_school_day', 'stats_daily', ['school_id', 'day'], unique=False)
    op.create_table('stats_facts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('series', sa.String(length=48), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('occurred_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('ref_type', sa.String(length=32), nullable=False),
    sa.Column('ref_id', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('label', sa.String(length=160), nullable=False),
    sa.Column('detail', JSON_T, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_facts')),
    sa.UniqueConstraint('event_id', 'series', name=op.f('uq_stats_facts_event_id_series'))
    )
    op.create_index('ix_stats_facts_lookup', 'stats_facts', ['series', 'day', 'school_id'], unique=False)
    op.create_index('ix_stats_facts_ref', 'stats_facts', ['ref_type', 'ref_id'], unique=False)
    op.create_table('stats_monthly',
    sa.Column('series', sa.String(length=48), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('dim', sa.String(length=48), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'month', 'dim', 'school_id', name=op.f('pk_stats_monthly')),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_stats_monthly_school_month', 'stats_monthly', ['school_id', 'month'], unique=False)
    op.create_table('stats_sources',
    sa.Column('series', sa.String(length=48), nullable=False),
    sa.Column('first_seen', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('series', name=op.f('pk_stats_sources'))
    )


def downgrade() -> None:
    op.drop_table('stats_sources')
    op.drop_index('ix_stats_monthly_school_month', table_name='stats_monthly')
    op.drop_table('stats_monthly')
    op.drop_index('ix_stats_facts_ref', table_name='stats_facts')
    op.drop_index('ix_stats_facts_lookup', table_name='stats_facts')
    op.drop_table('stats_facts')
    op.drop_index('ix_stats_daily_school_day', table_name='stats_daily')
    op.drop_table('stats_daily')
    op.drop_index(op.f('ix_stats_briefings_district_code'), table_name='stats_briefings')
    op.drop_table('stats_briefings')
