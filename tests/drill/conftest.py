"""The daily-operations suites run on the seeded demo city with their own tables emptied."""

import pytest
from tests.seeded_world import app, daily_operations_tables, login  # noqa: F401


@pytest.fixture
def seed_world() -> tuple[type, ...]:
    return daily_operations_tables()
