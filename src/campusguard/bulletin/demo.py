"""Simulators the demo starts beside the server: the campus speaker peer that plays broadcasts."""

from __future__ import annotations

import sys

from campusguard.bulletin.seed import SPEAKER_SIM_TOKEN
from campusguard.config import Settings


def simulators(settings: Settings, base_url: str) -> list[list[str]]:
    save = str(settings.data_dir / "speaker-sim")
    return [[sys.executable, "sim/speakers/server.py", "--port", "9301", "--token", SPEAKER_SIM_TOKEN,
             "--save-dir", save]]
