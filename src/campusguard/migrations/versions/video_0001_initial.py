# ruff: noqa: E501
"""Video: cameras, recorded segments, gaps, holds, evidence clips, issues, view sessions, retention, workers.

Revision ID: video_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "video_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("video",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('video_workers',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cameras', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_video_workers'))
    )
    op.create_table('video_retention_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('quota_gb', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_video_retention_policies_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_video_retention_policies_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_retention_policies')),
    sa.UniqueConstraint('school_id', 'area_id', name=op.f('uq_video_retention_policies_school_id_area_id'))
    )
    op.create_table('video_cameras',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('rtsp_url', sa.String(length=500), nullable=False),
    sa.Column('sub_url', sa.String(length=500), nullable=True),
    sa.Column('username', sa.Text(), nullable=True),
    sa.Column('password', sa.Text(), nullable=True),
    sa.Column('codec', sa.String(length=16), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('fps', sa.Float(), nullable=True),
    sa.Column('bitrate_kbps', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=300), nullable=True),
    sa.Column('recording', sa.Boolean(), nullable=False),
    sa.Column('worker', sa.String(length=64), nullable=True),
    sa.Column('parent_viewer_cap', sa.Integer(), nullable=False),
    sa.Column('onvif', sa.JSON(), nullable=False),
    sa.Column('last_segment_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_video_cameras_device_id_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_video_cameras_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_cameras')),
    sa.UniqueConstraint('device_id', name=op.f('uq_video_cameras_device_id'))
    )
    op.create_index(op.f('ix_video_cameras_school_id'), 'video_cameras', ['school_id'], unique=False)
    op.create_index(op.f('ix_video_cameras_worker'), 'video_cameras', ['worker'], unique=False)
    op.create_table('video_class_cameras',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('class_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['video_cameras.id'], name=op.f('fk_video_class_cameras_camera_id_video_cameras'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_video_class_cameras_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_class_cameras')),
    sa.UniqueConstraint('camera_id', 'class_name', name=op.f('uq_video_class_cameras_camera_id_class_name'))
    )
    op.create_index(op.f('ix_video_class_cameras_camera_id'), 'video_class_cameras', ['camera_id'], unique=False)
    op.create_index(op.f('ix_video_class_cameras_school_id'), 'video_class_cameras', ['school_id'], unique=False)
    op.create_table('video_clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('bytes', sa.BigInteger(), nullable=True),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['video_cameras.id'], name=op.f('fk_video_clips_camera_id_video_cameras'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_video_clips_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_clips'))
    )
    op.create_index(op.f('ix_video_clips_camera_id'), 'video_clips', ['camera_id'], unique=False)
    op.create_index(op.f('ix_video_clips_incident_id'), 'video_clips', ['incident_id'], unique=False)
    op.create_index(op.f('ix_video_clips_school_id'), 'video_clips', ['school_id'], unique=False)
    op.create_table('video_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['video_cameras.id'], name=op.f('fk_video_gaps_camera_id_video_cameras'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_gaps'))
    )
    op.create_index('ix_video_gaps_camera_start', 'video_gaps', ['camera_id', 'start'], unique=False)
    op.create_table('video_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('clip_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['video_cameras.id'], name=op.f('fk_video_holds_camera_id_video_cameras'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_holds'))
    )
    op.create_index('ix_video_holds_camera_start', 'video_holds', ['camera_id', 'start'], unique=False)
    op.create_index(op.f('ix_video_holds_incident_id'), 'video_holds', ['incident_id'], unique=False)
    op.create_table('video_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['video_cameras.id'], name=op.f('fk_video_issues_camera_id_video_cameras'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_video_issues_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_issues'))
    )
    op.create_index('ix_video_issues_camera_kind', 'video_issues', ['camera_id', 'kind'], unique=False)
    op.create_index(op.f('ix_video_issues_resolved_at'), 'video_issues', ['resolved_at'], unique=False)
    op.create_index(op.f('ix_video_issues_school_id'), 'video_issues', ['school_id'], unique=False)
    op.create_table('video_segments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['video_cameras.id'], name=op.f('fk_video_segments_camera_id_video_cameras'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_segments')),
    sa.UniqueConstraint('path', name=op.f('uq_video_segments_path'))
    )
    op.create_index('ix_video_segments_camera_start', 'video_segments', ['camera_id', 'start'], unique=False)
    op.create_table('video_view_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('range_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('range_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['video_cameras.id'], name=op.f('fk_video_view_sessions_camera_id_video_cameras'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_view_sessions'))
    )
    op.create_index('ix_video_view_sessions_camera_seen', 'video_view_sessions', ['camera_id', 'last_seen'], unique=False)
    op.create_index(op.f('ix_video_view_sessions_user_id'), 'video_view_sessions', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_video_view_sessions_user_id'), table_name='video_view_sessions')
    op.drop_index('ix_video_view_sessions_camera_seen', table_name='video_view_sessions')
    op.drop_table('video_view_sessions')
    op.drop_index('ix_video_segments_camera_start', table_name='video_segments')
    op.drop_table('video_segments')
    op.drop_index(op.f('ix_video_issues_school_id'), table_name='video_issues')
    op.drop_index(op.f('ix_video_issues_resolved_at'), table_name='video_issues')
    op.drop_index('ix_video_issues_camera_kind', table_name='video_issues')
    op.drop_table('video_issues')
    op.drop_index(op.f('ix_video_holds_incident_id'), table_name='video_holds')
    op.drop_index('ix_video_holds_camera_start', table_name='video_holds')
    op.drop_table('video_holds')
    op.drop_index('ix_video_gaps_camera_start', table_name='video_gaps')
    op.drop_table('video_gaps')
    op.drop_index(op.f('ix_video_clips_school_id'), table_name='video_clips')
    op.drop_index(op.f('ix_video_clips_incident_id'), table_name='video_clips')
    op.drop_index(op.f('ix_video_clips_camera_id'), table_name='video_clips')
    op.drop_table('video_clips')
    op.drop_index(op.f('ix_video_class_cameras_school_id'), table_name='video_class_cameras')
    op.drop_index(op.f('ix_video_class_cameras_camera_id'), table_name='video_class_cameras')
    op.drop_table('video_class_cameras')
    op.drop_index(op.f('ix_video_cameras_worker'), table_name='video_cameras')
    op.drop_index(op.f('ix_video_cameras_school_id'), table_name='video_cameras')
    op.drop_table('video_cameras')
    op.drop_table('video_retention_policies')
    op.drop_table('video_workers')
