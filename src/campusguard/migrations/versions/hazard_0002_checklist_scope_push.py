"""Hazard: checklist templates owned by the city, a district or a school, with versions; overdue Web Push log.

Revision ID: hazard_0002
Revises: hazard_0001
Create Date: 2026-11-24
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "hazard_0002"
down_revision: str | Sequence[str] | None = "hazard_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hazard_checklists") as batch:
        batch.add_column(sa.Column("scope_key", sa.String(length=40), nullable=False, server_default="city"))
        batch.add_column(sa.Column("district_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("school_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_by", sa.String(length=128), nullable=True))
        batch.drop_constraint(op.f("uq_hazard_checklists_school_type_name"), type_="unique")
        batch.create_unique_constraint(op.f("uq_hazard_checklists_school_type_scope_key_name"),
                                       ["school_type", "scope_key", "name"])
        batch.create_foreign_key(op.f("fk_hazard_checklists_school_id_schools"), "schools", ["school_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index(op.f("ix_hazard_checklists_district_code"), ["district_code"], unique=False)
        batch.create_index(op.f("ix_hazard_checklists_school_id"), ["school_id"], unique=False)
    with op.batch_alter_table("hazard_inspections") as batch:
        batch.add_column(sa.Column("template_version", sa.Integer(), nullable=True))
    op.create_table(
        "hazard_overdue_pushes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_overdue_pushes")),
    )
    for col in ("subject_id", "school_id", "user_id"):
        op.create_index(op.f(f"ix_hazard_overdue_pushes_{col}"), "hazard_overdue_pushes", [col], unique=False)


def downgrade() -> None:
    op.drop_table("hazard_overdue_pushes")
    with op.batch_alter_table("hazard_inspections") as batch:
        batch.drop_column("template_version")
    with op.batch_alter_table("hazard_checklists") as batch:
        batch.drop_index(op.f("ix_hazard_checklists_school_id"))
        batch.drop_index(op.f("ix_hazard_checklists_district_code"))
        batch.drop_constraint(op.f("fk_hazard_checklists_school_id_schools"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_hazard_checklists_school_type_scope_key_name"), type_="unique")
        batch.create_unique_constraint(op.f("uq_hazard_checklists_school_type_name"), ["school_type", "name"])
        for col in ("updated_by", "version", "school_id", "district_code", "scope_key"):
            batch.drop_column(col)
