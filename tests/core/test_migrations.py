"""Migrations of every domain branch produce exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from campusguard.core.db import Database
from campusguard.models import metadata


def test_migrations_match_models(db: Database) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, metadata)
    # Index/unique naming may differ harmlessly on SQLite; tables and columns must match everywhere.
    significant = [d for d in diff if isinstance(d, tuple) and d[0] in
                   ("add_table", "remove_table", "add_column", "remove_column")]
    assert significant == [], significant
