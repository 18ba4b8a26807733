"""Video: issues may concern an area instead of a camera (blind spots: a key area without an online camera).

Revision ID: video_0002
Revises: video_0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "video_0002"
down_revision: str | Sequence[str] | None = "video_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("video_issues") as batch:
        batch.alter_column("camera_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_video_issues_area_id_areas"), "areas", ["area_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index(op.f("ix_video_issues_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM video_issues WHERE camera_id IS NULL")
    with op.batch_alter_table("video_issues") as batch:
        batch.drop_index(op.f("ix_video_issues_area_id"))
        batch.drop_constraint(op.f("fk_video_issues_area_id_areas"), type_="foreignkey")
        batch.drop_column("area_id")
        batch.alter_column("camera_id", existing_type=sa.Integer(), nullable=False)
