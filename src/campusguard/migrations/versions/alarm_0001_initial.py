# ruff: noqa: E501
"""Rapid response: device events, incidents, timeline, plans, escalation, notifications, hand-off, drills.

Revision ID: alarm_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "alarm_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("alarm",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table('alarm_escalation_chains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=True),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_escalation_chains')),
    sa.UniqueConstraint('district_code', name=op.f('uq_alarm_escalation_chains_district_code'))
    )
    op.create_table('alarm_gateways',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('driver', sa.String(length=16), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_gateways')),
    sa.UniqueConstraint('name', name=op.f('uq_alarm_gateways_name'))
    )
    op.create_table('alarm_handoff_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('district_code', sa.String(length=12), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('include_drills', sa.Boolean(), nullable=False),
    sa.Column('include_tests', sa.Boolean(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('backoff_s', sa.Float(), nullable=False),
    sa.Column('timeout_s', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_handoff_endpoints')),
    sa.UniqueConstraint('name', name=op.f('uq_alarm_handoff_endpoints_name'))
    )
    op.create_table('alarm_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('alarm_type', sa.String(length=32), nullable=False),
    sa.Column('school_type', sa.String(length=16), nullable=True),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_plans')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_alarm_plans_key_version'))
    )
    op.create_index(op.f('ix_alarm_plans_current'), 'alarm_plans', ['current'], unique=False)
    op.create_index(op.f('ix_alarm_plans_key'), 'alarm_plans', ['key'], unique=False)
    op.create_table('alarm_vapid_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('public_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_vapid_keys'))
    )
    op.create_table('alarm_drill_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_by', sa.String(length=128), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_alarm_drill_windows_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_drill_windows'))
    )
    op.create_index(op.f('ix_alarm_drill_windows_school_id'), 'alarm_drill_windows', ['school_id'], unique=False)
    op.create_table('alarm_device_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_alarm_device_events_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_device_events')),
    sa.UniqueConstraint('device_id', 'seq', name=op.f('uq_alarm_device_events_device_id_seq'))
    )
    op.create_index(op.f('ix_alarm_device_events_device_id'), 'alarm_device_events', ['device_id'], unique=False)
    op.create_index(op.f('ix_alarm_device_events_received_at'), 'alarm_device_events', ['received_at'], unique=False)
    op.create_table('alarm_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('is_drill', sa.Boolean(), nullable=False),
    sa.Column('drill_window_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('cameras', sa.JSON(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('on_scene_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=128), nullable=True),
    sa.Column('resolved_by', sa.String(length=128), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_alarm_incidents_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_alarm_incidents_device_id_devices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['alarm_plans.id'], name=op.f('fk_alarm_incidents_plan_id_alarm_plans'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_alarm_incidents_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_incidents'))
    )
    op.create_index(op.f('ix_alarm_incidents_device_id'), 'alarm_incidents', ['device_id'], unique=False)
    op.create_index(op.f('ix_alarm_incidents_district_code'), 'alarm_incidents', ['district_code'], unique=False)
    op.create_index('ix_alarm_incidents_school_raised', 'alarm_incidents', ['school_id', 'raised_at'], unique=False)
    op.create_index('ix_alarm_incidents_status', 'alarm_incidents', ['status', 'raised_at'], unique=False)
    op.create_index(op.f('ix_alarm_incidents_type'), 'alarm_incidents', ['type'], unique=False)
    op.create_table('alarm_push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alarm_push_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_push_subscriptions')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_alarm_push_subscriptions_endpoint'))
    )
    op.create_index(op.f('ix_alarm_push_subscriptions_user_id'), 'alarm_push_subscriptions', ['user_id'], unique=False)
    op.create_table('alarm_checklist_ticks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['alarm_incidents.id'], name=op.f('fk_alarm_checklist_ticks_incident_id_alarm_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_checklist_ticks')),
    sa.UniqueConstraint('incident_id', 'step', name=op.f('uq_alarm_checklist_ticks_incident_id_step'))
    )
    op.create_table('alarm_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chain_id'], ['alarm_escalation_chains.id'], name=op.f('fk_alarm_escalations_chain_id_alarm_escalation_chains'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['alarm_incidents.id'], name=op.f('fk_alarm_escalations_incident_id_alarm_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_escalations')),
    sa.UniqueConstraint('incident_id', name=op.f('uq_alarm_escalations_incident_id'))
    )
    op.create_table('alarm_handoff_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('msg_seq', sa.Integer(), nullable=False),
    sa.Column('msg_type', sa.String(length=8), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['alarm_handoff_endpoints.id'], name=op.f('fk_alarm_handoff_deliveries_endpoint_id_alarm_handoff_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['alarm_incidents.id'], name=op.f('fk_alarm_handoff_deliveries_incident_id_alarm_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_handoff_deliveries')),
    sa.UniqueConstraint('endpoint_id', 'incident_id', 'msg_seq', name=op.f('uq_alarm_handoff_deliveries_endpoint_id_incident_id_msg_seq'))
    )
    op.create_index(op.f('ix_alarm_handoff_deliveries_incident_id'), 'alarm_handoff_deliveries', ['incident_id'], unique=False)
    op.create_index('ix_alarm_handoff_deliveries_status', 'alarm_handoff_deliveries', ['status'], unique=False)
    op.create_table('alarm_incident_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=128), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('photo_path', sa.String(length=256), nullable=True),
    sa.Column('photo_mime', sa.String(length=32), nullable=True),
    sa.Column('photo_size', sa.Integer(), nullable=True),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['alarm_incidents.id'], name=op.f('fk_alarm_incident_notes_incident_id_alarm_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_incident_notes'))
    )
    op.create_index(op.f('ix_alarm_incident_notes_incident_id'), 'alarm_incident_notes', ['incident_id'], unique=False)
    op.create_table('alarm_incident_steps',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['alarm_incidents.id'], name=op.f('fk_alarm_incident_steps_incident_id_alarm_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_incident_steps'))
    )
    op.create_index(op.f('ix_alarm_incident_steps_incident_id'), 'alarm_incident_steps', ['incident_id'], unique=False)
    op.create_table('alarm_notifications',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['alarm_incidents.id'], name=op.f('fk_alarm_notifications_incident_id_alarm_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_notifications'))
    )
    op.create_index('ix_alarm_notifications_incident', 'alarm_notifications', ['incident_id', 'created_at'], unique=False)
    op.create_table('alarm_handoff_receipts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.Column('response', sa.String(length=1000), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['alarm_handoff_deliveries.id'], name=op.f('fk_alarm_handoff_receipts_delivery_id_alarm_handoff_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_handoff_receipts'))
    )
    op.create_index(op.f('ix_alarm_handoff_receipts_delivery_id'), 'alarm_handoff_receipts', ['delivery_id'], unique=False)


def downgrade() -> None:
    op.drop_table('alarm_handoff_receipts')
    op.drop_table('alarm_notifications')
    op.drop_table('alarm_incident_steps')
    op.drop_table('alarm_incident_notes')
    op.drop_table('alarm_handoff_deliveries')
    op.drop_table('alarm_escalations')
    op.drop_table('alarm_checklist_ticks')
    op.drop_table('alarm_push_subscriptions')
    op.drop_table('alarm_incidents')
    op.drop_table('alarm_device_events')
    op.drop_table('alarm_drill_windows')
    op.drop_table('alarm_vapid_keys')
    op.drop_table('alarm_plans')
    op.drop_table('alarm_handoff_endpoints')
    op.drop_table('alarm_gateways')
    op.drop_table('alarm_escalation_chains')
