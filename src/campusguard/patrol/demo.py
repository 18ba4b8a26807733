"""Simulators the demo starts beside the server: a guard walking the seeded route and answering roll calls."""

from __future__ import annotations

import sys

from campusguard.config import Settings


def simulators(settings: Settings, base_url: str) -> list[list[str]]:
    return [[sys.executable, "sim/guards/walk.py", "--base-url", base_url, "--loop", "--interval", "90"]]
