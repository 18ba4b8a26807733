# ruff: noqa: E501
"""Publicity: bulletins, attachments, read receipts, safety lessons, anonymous reports, broadcasts.

Revision ID: bulletin_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bulletin_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("bulletin",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('bulletin_broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('voice', sa.String(length=16), nullable=True),
    sa.Column('audio', sa.LargeBinary(), nullable=True),
    sa.Column('audio_sha256', sa.String(length=64), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('school_ids', sa.JSON(), nullable=False),
    sa.Column('device_ids', sa.JSON(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_by_name', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_broadcasts'))
    )
    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('target_districts', sa.JSON(), nullable=False),
    sa.Column('target_school_types', sa.JSON(), nullable=False),
    sa.Column('target_roles', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins'))
    )
    op.create_table('bulletin_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletins.id'], name=op.f('fk_bulletin_attachments_bulletin_id_bulletins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_attachments'))
    )
    op.create_table('bulletin_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_bulletin_reports_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_reports')),
    sa.UniqueConstraint('case_number', name=op.f('uq_bulletin_reports_case_number'))
    )
    op.create_table('bulletin_safety_lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('teacher', sa.String(length=64), nullable=False),
    sa.Column('classes', sa.String(length=200), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_bulletin_safety_lessons_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_safety_lessons'))
    )
    op.create_table('bulletin_report_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=16), nullable=False),
    sa.Column('handler_user_id', sa.Integer(), nullable=True),
    sa.Column('handler_role', sa.String(length=32), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['bulletin_reports.id'], name=op.f('fk_bulletin_report_messages_report_id_bulletin_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_report_messages'))
    )
    op.create_table('bulletin_broadcast_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('device_code', sa.String(length=64), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('played_s', sa.Float(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['broadcast_id'], ['bulletin_broadcasts.id'], name=op.f('fk_bulletin_broadcast_deliveries_broadcast_id_bulletin_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_bulletin_broadcast_deliveries_device_id_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_bulletin_broadcast_deliveries_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_broadcast_deliveries')),
    sa.UniqueConstraint('broadcast_id', 'device_id', name=op.f('uq_bulletin_broadcast_deliveries_broadcast_id_device_id'))
    )
    op.create_table('bulletin_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletins.id'], name=op.f('fk_bulletin_reads_bulletin_id_bulletins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bulletin_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_reads')),
    sa.UniqueConstraint('bulletin_id', 'user_id', name=op.f('uq_bulletin_reads_bulletin_id_user_id'))
    )
    op.create_index(op.f('ix_bulletins_category'), 'bulletins', ['category'], unique=False)
    op.create_index(op.f('ix_bulletins_published_at'), 'bulletins', ['published_at'], unique=False)
    op.create_index(op.f('ix_bulletins_region_code'), 'bulletins', ['region_code'], unique=False)
    op.create_index(op.f('ix_bulletin_attachments_bulletin_id'), 'bulletin_attachments', ['bulletin_id'], unique=False)
    op.create_index(op.f('ix_bulletin_reports_school_id'), 'bulletin_reports', ['school_id'], unique=False)
    op.create_index('ix_bulletin_safety_lessons_school_at', 'bulletin_safety_lessons', ['school_id', 'given_at'], unique=False)
    op.create_index(op.f('ix_bulletin_report_messages_report_id'), 'bulletin_report_messages', ['report_id'], unique=False)
    op.create_index(op.f('ix_bulletin_broadcast_deliveries_broadcast_id'), 'bulletin_broadcast_deliveries', ['broadcast_id'], unique=False)
    op.create_index(op.f('ix_bulletin_reads_bulletin_id'), 'bulletin_reads', ['bulletin_id'], unique=False)


def downgrade() -> None:
    op.drop_table('bulletin_reads')
    op.drop_table('bulletin_broadcast_deliveries')
    op.drop_table('bulletin_report_messages')
    op.drop_table('bulletin_safety_lessons')
    op.drop_table('bulletin_reports')
    op.drop_table('bulletin_attachments')
    op.drop_table('bulletins')
    op.drop_table('bulletin_broadcasts')
