"""Starts the simulated cameras (sim/cameras: GStreamer under the system python3) for benches and demos."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]
SERVER = ROOT / "sim" / "cameras" / "server.py"
BULK = ROOT / "sim" / "cameras" / "bulk.py"
SYSTEM_PYTHON = os.environ.get("CG_SIMCAM_PYTHON", "/usr/bin/python3")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SimCameras:
    """A running simulator process and its ports; `bulk` = the asyncio server that scales to 100+ cameras."""

    cameras: int
    size: str = "1920x1080"
    bitrate: int = 2000
    rtsp_port: int = field(default_factory=free_port)
    control_port: int = field(default_factory=free_port)
    bulk: bool = False
    stats_file: Path | None = None
    proc: subprocess.Popen[str] | None = None

    def url(self, n: int) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_port}/cam{n}"

    def start(self, timeout_s: float = 120) -> SimCameras:
        """Start and wait for readiness (the first run encodes the scenes once, then they are cached)."""
        cache = os.environ.get("CG_SIMCAM_CACHE", str(Path.home() / ".cache" / "campusguard-simcam"))
        cmd = [SYSTEM_PYTHON, str(SERVER)]
        if self.bulk:  # pure asyncio: any interpreter; this one
            cmd = [sys.executable, str(BULK)]
            if self.stats_file is not None:
                cmd += ["--stats-file", str(self.stats_file)]
        self.proc = subprocess.Popen(
            [*cmd, "--cameras", str(self.cameras), "--port", str(self.rtsp_port),
             "--control-port", str(self.control_port), "--size", self.size, "--bitrate", str(self.bitrate),
             "--cache", cache, "--seed", "7"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        line = self.proc.stdout.readline()
        if '"ready"' not in line or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError("camera simulator did not start (python3-gi / gir1.2-gst-rtsp-server-1.0?)")
        return self

    def control(self, path: str) -> object:
        return httpx.post(f"http://127.0.0.1:{self.control_port}{path}", timeout=10).json()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
