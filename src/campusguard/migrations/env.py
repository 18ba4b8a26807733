"""Alembic environment: the URL comes from the caller (campusguard db upgrade) or CG_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from campusguard.core.db import make_engine
from campusguard.models import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from campusguard.config import get_settings

        url = get_settings().db_url
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `campusguard db upgrade`")
run_migrations_online()
