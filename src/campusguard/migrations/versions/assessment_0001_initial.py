# ruff: noqa: E501
"""assessment domain: initial schema.

Revision ID: assessment_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from campusguard.core.crypto import EncryptedText
from campusguard.core.db import UTCDateTime

JSON_T = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")

revision: str = "assessment_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("assessment",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('assessment_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('url', sa.String(length=512), nullable=False),
    sa.Column('secret', EncryptedText(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_endpoints'))
    )
    op.create_table('assessment_inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('metrics_key', sa.String(length=64), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('schools', JSON_T, nullable=False),
    sa.Column('values', JSON_T, nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_inputs'))
    )
    op.create_index('ix_assessment_inputs_period', 'assessment_inputs', ['period', 'metrics_key', 'frozen'], unique=False)
    op.create_table('assessment_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('definition', JSON_T, nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_schemes')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_assessment_schemes_code_version'))
    )
    op.create_index(op.f('ix_assessment_schemes_code'), 'assessment_schemes', ['code'], unique=False)
    op.create_table('assessment_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('period_kind', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('input_id', sa.Integer(), nullable=True),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('school_count', sa.Integer(), nullable=False),
    sa.Column('result_digest', sa.String(length=64), nullable=False),
    sa.Column('summary', JSON_T, nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['input_id'], ['assessment_inputs.id'], name=op.f('fk_assessment_runs_input_id_assessment_inputs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scheme_id'], ['assessment_schemes.id'], name=op.f('fk_assessment_runs_scheme_id_assessment_schemes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_runs'))
    )
    op.create_index('ix_assessment_runs_period', 'assessment_runs', ['period', 'scheme_id'], unique=False)
    op.create_index(op.f('ix_assessment_runs_scheme_id'), 'assessment_runs', ['scheme_id'], unique=False)
    op.create_table('assessment_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['assessment_endpoints.id'], name=op.f('fk_assessment_deliveries_endpoint_id_assessment_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['assessment_runs.id'], name=op.f('fk_assessment_deliveries_run_id_assessment_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_deliveries')),
    sa.UniqueConstraint('run_id', 'endpoint_id', name=op.f('uq_assessment_deliveries_run_id_endpoint_id'))
    )
    op.create_index(op.f('ix_assessment_deliveries_run_id'), 'assessment_deliveries', ['run_id'], unique=False)
    op.create_table('assessment_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('school_code', sa.String(length=32), nullable=False),
    sa.Column('school_name', sa.String(length=128), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('district_name', sa.String(length=64), nullable=False),
    sa.Column('school_type', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('rank_district', sa.Integer(), nullable=False),
    sa.Column('rank_type', sa.Integer(), nullable=False),
    sa.Column('groups', JSON_T, nullable=False),
    sa.Column('lines', JSON_T, nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['assessment_runs.id'], name=op.f('fk_assessment_results_run_id_assessment_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_results')),
    sa.UniqueConstraint('run_id', 'school_id', name=op.f('uq_assessment_results_run_id_school_id'))
    )
    op.create_index(op.f('ix_assessment_results_run_id'), 'assessment_results', ['run_id'], unique=False)
    op.create_index(op.f('ix_assessment_results_school_id'), 'assessment_results', ['school_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_assessment_results_school_id'), table_name='assessment_results')
    op.drop_index(op.f('ix_assessment_results_run_id'), table_name='assessment_results')
    op.drop_table('assessment_results')
    op.drop_index(op.f('ix_assessment_deliveries_run_id'), table_name='assessment_deliveries')
    op.drop_table('assessment_deliveries')
    op.drop_index(op.f('ix_assessment_runs_scheme_id'), table_name='assessment_runs')
    op.drop_index('ix_assessment_runs_period', table_name='assessment_runs')
    op.drop_table('assessment_runs')
    op.drop_index(op.f('ix_assessment_schemes_code'), table_name='assessment_schemes')
    op.drop_table('assessment_schemes')
    op.drop_index('ix_assessment_inputs_period', table_name='assessment_inputs')
    op.drop_table('assessment_inputs')
    op.drop_table('assessment_endpoints')
