"""Seeded-city fixtures shared by the daily-operations suites (see tests/hazard/cg_daily_world.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hazard"))

from cg_daily_world import (  # noqa: E402,F401
    app,
    db_url,
    login,
    seeded,
    seeded_pg_template,
    seeded_sqlite_template,
)
