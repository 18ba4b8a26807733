# ruff: noqa: E501
"""Duty registration: checkpoints, routes, shifts, photos, check-ins, anomalies, roll calls.

Revision ID: patrol_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "patrol_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("patrol",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('patrol_rollcalls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=False),
    sa.Column('started_by_name', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('schools', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_rollcalls'))
    )
    op.create_table('patrol_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_patrol_routes_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_routes')),
    sa.UniqueConstraint('school_id', 'name', name=op.f('uq_patrol_routes_school_id_name'))
    )
    op.create_table('patrol_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('radius_m', sa.Float(), nullable=False),
    sa.Column('qr_version', sa.Integer(), nullable=False),
    sa.Column('qr_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_patrol_checkpoints_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_patrol_checkpoints_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_checkpoints')),
    sa.UniqueConstraint('school_id', 'name', name=op.f('uq_patrol_checkpoints_school_id_name'))
    )
    op.create_table('patrol_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_patrol_photos_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_patrol_photos_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_photos'))
    )
    op.create_table('patrol_route_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('offset_min', sa.Integer(), nullable=False),
    sa.Column('tolerance_min', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['patrol_checkpoints.id'], name=op.f('fk_patrol_route_stops_checkpoint_id_patrol_checkpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['route_id'], ['patrol_routes.id'], name=op.f('fk_patrol_route_stops_route_id_patrol_routes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_route_stops')),
    sa.UniqueConstraint('route_id', 'seq', name=op.f('uq_patrol_route_stops_route_id_seq'))
    )
    op.create_table('patrol_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('guard_user_id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=True),
    sa.Column('post', sa.String(length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_lat', sa.Float(), nullable=True),
    sa.Column('last_lon', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guard_user_id'], ['users.id'], name=op.f('fk_patrol_shifts_guard_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['route_id'], ['patrol_routes.id'], name=op.f('fk_patrol_shifts_route_id_patrol_routes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_patrol_shifts_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_shifts'))
    )
    op.create_table('patrol_anomalies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('guard_user_id', sa.Integer(), nullable=True),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['patrol_checkpoints.id'], name=op.f('fk_patrol_anomalies_checkpoint_id_patrol_checkpoints'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guard_user_id'], ['users.id'], name=op.f('fk_patrol_anomalies_guard_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_patrol_anomalies_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['patrol_shifts.id'], name=op.f('fk_patrol_anomalies_shift_id_patrol_shifts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_anomalies')),
    sa.UniqueConstraint('key', name=op.f('uq_patrol_anomalies_key'))
    )
    op.create_table('patrol_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('guard_user_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('route_stop_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['patrol_checkpoints.id'], name=op.f('fk_patrol_checkins_checkpoint_id_patrol_checkpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guard_user_id'], ['users.id'], name=op.f('fk_patrol_checkins_guard_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['patrol_photos.id'], name=op.f('fk_patrol_checkins_photo_id_patrol_photos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['route_stop_id'], ['patrol_route_stops.id'], name=op.f('fk_patrol_checkins_route_stop_id_patrol_route_stops'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_patrol_checkins_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['patrol_shifts.id'], name=op.f('fk_patrol_checkins_shift_id_patrol_shifts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_checkins')),
    sa.UniqueConstraint('guard_user_id', 'client_id', name=op.f('uq_patrol_checkins_guard_user_id_client_id'))
    )
    op.create_table('patrol_rollcall_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rollcall_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('guard_user_id', sa.Integer(), nullable=False),
    sa.Column('guard_name', sa.String(length=64), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['guard_user_id'], ['users.id'], name=op.f('fk_patrol_rollcall_targets_guard_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['patrol_photos.id'], name=op.f('fk_patrol_rollcall_targets_photo_id_patrol_photos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rollcall_id'], ['patrol_rollcalls.id'], name=op.f('fk_patrol_rollcall_targets_rollcall_id_patrol_rollcalls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_patrol_rollcall_targets_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['patrol_shifts.id'], name=op.f('fk_patrol_rollcall_targets_shift_id_patrol_shifts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_rollcall_targets')),
    sa.UniqueConstraint('rollcall_id', 'guard_user_id', name=op.f('uq_patrol_rollcall_targets_rollcall_id_guard_user_id'))
    )
    op.create_index(op.f('ix_patrol_routes_school_id'), 'patrol_routes', ['school_id'], unique=False)
    op.create_index(op.f('ix_patrol_checkpoints_area_id'), 'patrol_checkpoints', ['area_id'], unique=False)
    op.create_index(op.f('ix_patrol_checkpoints_school_id'), 'patrol_checkpoints', ['school_id'], unique=False)
    op.create_index(op.f('ix_patrol_photos_school_id'), 'patrol_photos', ['school_id'], unique=False)
    op.create_index(op.f('ix_patrol_route_stops_route_id'), 'patrol_route_stops', ['route_id'], unique=False)
    op.create_index(op.f('ix_patrol_shifts_guard_user_id'), 'patrol_shifts', ['guard_user_id'], unique=False)
    op.create_index('ix_patrol_shifts_window', 'patrol_shifts', ['school_id', 'starts_at', 'ends_at'], unique=False)
    op.create_index(op.f('ix_patrol_anomalies_kind'), 'patrol_anomalies', ['kind'], unique=False)
    op.create_index('ix_patrol_anomalies_school_at', 'patrol_anomalies', ['school_id', 'occurred_at'], unique=False)
    op.create_index('ix_patrol_checkins_cp_at', 'patrol_checkins', ['checkpoint_id', 'scanned_at'], unique=False)
    op.create_index(op.f('ix_patrol_checkins_school_id'), 'patrol_checkins', ['school_id'], unique=False)
    op.create_index(op.f('ix_patrol_checkins_shift_id'), 'patrol_checkins', ['shift_id'], unique=False)
    op.create_index(op.f('ix_patrol_rollcall_targets_rollcall_id'), 'patrol_rollcall_targets', ['rollcall_id'], unique=False)
    op.create_index(op.f('ix_patrol_rollcall_targets_school_id'), 'patrol_rollcall_targets', ['school_id'], unique=False)


def downgrade() -> None:
    op.drop_table('patrol_rollcall_targets')
    op.drop_table('patrol_checkins')
    op.drop_table('patrol_anomalies')
    op.drop_table('patrol_shifts')
    op.drop_table('patrol_route_stops')
    op.drop_table('patrol_photos')
    op.drop_table('patrol_checkpoints')
    op.drop_table('patrol_routes')
    op.drop_table('patrol_rollcalls')
