"""Bulletin fixtures: the real speaker simulator process on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.seeded_world import app, duty_and_publicity_tables, login  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SPEAKER_TOKEN = "spk-secret"


@pytest.fixture
def seed_world() -> tuple[type, ...]:
    """This suite runs on the seeded demo city with its duty/publicity tables emptied."""
    return duty_and_publicity_tables()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def speaker_sim() -> Iterator[str]:
    """Base URL of a running speaker simulator that requires SPEAKER_TOKEN."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "sim/speakers/server.py"), "--port", str(port),
                             "--token", SPEAKER_TOKEN])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("speaker simulator did not start")
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
