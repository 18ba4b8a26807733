"""Import every domain's tables so the metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

import importlib

from campusguard.core import models as core_models  # noqa: F401
from campusguard.core.db import Base

DOMAINS = ("org", "accounts", "device", "alarm", "video", "face", "hazard", "patrol", "task", "bulletin",
           "drill", "stats", "assessment", "rollout")


def load_all() -> type[Base]:
    """Import each domain's models module (order matters only for readability)."""
    for domain in DOMAINS:
        importlib.import_module(f"campusguard.{domain}.models")
    return Base


load_all()
metadata = Base.metadata
