"""Make the repository root importable so tests can drive the device simulator in `sim/`."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 1883), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def mqtt_url() -> str:
    """Mosquitto URL; skipped when down outside CI, an error in CI (same rule as the root conftest)."""
    url = os.environ.get("CG_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    if not _reachable(url):
        if os.environ.get("CI"):
            pytest.fail(f"Mosquitto not reachable at {url}")
        pytest.skip(f"Mosquitto not reachable at {url}")
    return url


@pytest.fixture
def unique() -> Iterator[str]:
    """A short unique token so tests sharing the broker never see each other's messages."""
    yield uuid.uuid4().hex[:10]
