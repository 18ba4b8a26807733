"""Adapter tests: the repository root is importable so tests can drive the simulator in `sim/`."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def unique() -> Iterator[str]:
    """A short unique token so tests sharing the broker never see each other's messages."""
    yield uuid.uuid4().hex[:10]
