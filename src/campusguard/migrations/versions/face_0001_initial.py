# ruff: noqa: E501
"""Early warning: watchlists, enrolled persons and templates, captures (pass records), alerts, visitors.

Revision ID: face_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "face_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("face",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('face_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('school_type', sa.String(length=16), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_face_rules_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_rules'))
    )
    op.create_index(op.f('ix_face_rules_school_id'), 'face_rules', ['school_id'], unique=False)
    op.create_table('face_watchlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_face_watchlists_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_watchlists'))
    )
    op.create_index(op.f('ix_face_watchlists_kind'), 'face_watchlists', ['kind'], unique=False)
    op.create_index(op.f('ix_face_watchlists_school_id'), 'face_watchlists', ['school_id'], unique=False)
    op.create_table('face_persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('watchlist_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('risk_level', sa.String(length=16), nullable=True),
    sa.Column('source', sa.String(length=128), nullable=True),
    sa.Column('legal_basis', sa.String(length=256), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_person_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('id_number', sa.Text(), nullable=True),
    sa.Column('minor', sa.Boolean(), nullable=False),
    sa.Column('guardian_consent', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_person_id'], ['people.id'], name=op.f('fk_face_persons_org_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['watchlist_id'], ['face_watchlists.id'], name=op.f('fk_face_persons_watchlist_id_face_watchlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_persons'))
    )
    op.create_index(op.f('ix_face_persons_org_person_id'), 'face_persons', ['org_person_id'], unique=False)
    op.create_index(op.f('ix_face_persons_watchlist_id'), 'face_persons', ['watchlist_id'], unique=False)
    op.create_table('face_captures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('device_code', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('frames', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('watchlist_id', sa.Integer(), nullable=True),
    sa.Column('watchlist_kind', sa.String(length=16), nullable=True),
    sa.Column('distance', sa.Float(), nullable=True),
    sa.Column('box', sa.JSON(), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=False),
    sa.Column('face_image', sa.LargeBinary(), nullable=False),
    sa.Column('scene_image', sa.LargeBinary(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('retain', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_face_captures_device_id_devices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['face_persons.id'], name=op.f('fk_face_captures_person_id_face_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_face_captures_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_captures'))
    )
    op.create_index(op.f('ix_face_captures_device_id'), 'face_captures', ['device_id'], unique=False)
    op.create_index(op.f('ix_face_captures_incident_id'), 'face_captures', ['incident_id'], unique=False)
    op.create_index(op.f('ix_face_captures_person_id'), 'face_captures', ['person_id'], unique=False)
    op.create_index('ix_face_captures_school_time', 'face_captures', ['school_id', 'captured_at'], unique=False)
    op.create_index(op.f('ix_face_captures_status'), 'face_captures', ['status'], unique=False)
    op.create_table('face_rejections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['face_persons.id'], name=op.f('fk_face_rejections_person_id_face_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_rejections'))
    )
    op.create_index(op.f('ix_face_rejections_person_id'), 'face_rejections', ['person_id'], unique=False)
    op.create_table('face_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('watchlist_id', sa.Integer(), nullable=False),
    sa.Column('engine', sa.String(length=64), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=False),
    sa.Column('thumbnail', sa.LargeBinary(), nullable=False),
    sa.Column('quality', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['face_persons.id'], name=op.f('fk_face_templates_person_id_face_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['watchlist_id'], ['face_watchlists.id'], name=op.f('fk_face_templates_watchlist_id_face_watchlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_templates'))
    )
    op.create_index(op.f('ix_face_templates_person_id'), 'face_templates', ['person_id'], unique=False)
    op.create_index(op.f('ix_face_templates_watchlist_id'), 'face_templates', ['watchlist_id'], unique=False)
    op.create_table('face_visitors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('id_number', sa.Text(), nullable=False),
    sa.Column('id_number_hash', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('host', sa.String(length=128), nullable=False),
    sa.Column('purpose', sa.String(length=256), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('badge_code', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('screening', sa.JSON(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['face_persons.id'], name=op.f('fk_face_visitors_person_id_face_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_face_visitors_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_visitors')),
    sa.UniqueConstraint('badge_code', name=op.f('uq_face_visitors_badge_code'))
    )
    op.create_index(op.f('ix_face_visitors_id_number_hash'), 'face_visitors', ['id_number_hash'], unique=False)
    op.create_index(op.f('ix_face_visitors_school_id'), 'face_visitors', ['school_id'], unique=False)
    op.create_table('face_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('capture_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('watchlist_id', sa.Integer(), nullable=True),
    sa.Column('distance', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['capture_id'], ['face_captures.id'], name=op.f('fk_face_alerts_capture_id_face_captures'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['face_persons.id'], name=op.f('fk_face_alerts_person_id_face_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_face_alerts_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_alerts'))
    )
    op.create_index(op.f('ix_face_alerts_kind'), 'face_alerts', ['kind'], unique=False)
    op.create_index(op.f('ix_face_alerts_school_id'), 'face_alerts', ['school_id'], unique=False)
    op.create_index(op.f('ix_face_alerts_status'), 'face_alerts', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_face_alerts_status'), table_name='face_alerts')
    op.drop_index(op.f('ix_face_alerts_school_id'), table_name='face_alerts')
    op.drop_index(op.f('ix_face_alerts_kind'), table_name='face_alerts')
    op.drop_table('face_alerts')
    op.drop_index(op.f('ix_face_visitors_school_id'), table_name='face_visitors')
    op.drop_index(op.f('ix_face_visitors_id_number_hash'), table_name='face_visitors')
    op.drop_table('face_visitors')
    op.drop_index(op.f('ix_face_templates_watchlist_id'), table_name='face_templates')
    op.drop_index(op.f('ix_face_templates_person_id'), table_name='face_templates')
    op.drop_table('face_templates')
    op.drop_index(op.f('ix_face_rejections_person_id'), table_name='face_rejections')
    op.drop_table('face_rejections')
    op.drop_index(op.f('ix_face_captures_status'), table_name='face_captures')
    op.drop_index('ix_face_captures_school_time', table_name='face_captures')
    op.drop_index(op.f('ix_face_captures_person_id'), table_name='face_captures')
    op.drop_index(op.f('ix_face_captures_incident_id'), table_name='face_captures')
    op.drop_index(op.f('ix_face_captures_device_id'), table_name='face_captures')
    op.drop_table('face_captures')
    op.drop_index(op.f('ix_face_persons_watchlist_id'), table_name='face_persons')
    op.drop_index(op.f('ix_face_persons_org_person_id'), table_name='face_persons')
    op.drop_table('face_persons')
    op.drop_index(op.f('ix_face_watchlists_school_id'), table_name='face_watchlists')
    op.drop_index(op.f('ix_face_watchlists_kind'), table_name='face_watchlists')
    op.drop_table('face_watchlists')
    op.drop_index(op.f('ix_face_rules_school_id'), table_name='face_rules')
    op.drop_table('face_rules')
