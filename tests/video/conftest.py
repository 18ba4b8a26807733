"""Video fixtures: a real simulated RTSP camera server (GStreamer, system python3) shared by the suite."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from campusguard.device.models import Device
from campusguard.org.models import Region, School
from campusguard.video.models import Camera

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "sim" / "cameras" / "server.py"
SYSTEM_PYTHON = "/usr/bin/python3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sim:
    """Handle on the simulator: RTSP URLs and the control endpoint (scene, drop, restore)."""

    rtsp_port: int
    control_port: int
    cameras: int

    def url(self, n: int) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_port}/cam{n}"

    def _post(self, path: str) -> dict[str, object]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.control_port}{path}", method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            data: dict[str, object] = json.loads(r.read())
            return data

    def scene(self, n: int, name: str) -> None:
        self._post(f"/cameras/{n}/scene/{name}")

    def drop(self, n: int) -> None:
        self._post(f"/cameras/{n}/drop")

    def restore(self, n: int) -> None:
        self._post(f"/cameras/{n}/restore")

    def status(self) -> list[dict[str, object]]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control_port}/cameras", timeout=10) as r:
            data: list[dict[str, object]] = json.loads(r.read())
            return data


def _sim_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists() or shutil.which("ffmpeg") is None:
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0')"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    """Eight 640x360 cameras (small, so the suite stays fast); scenes cached between runs."""
    if not _sim_available():
        if os.environ.get("CI"):
            pytest.fail("the camera simulator needs gir1.2-gst-rtsp-server-1.0 and python3-gi in CI")
        pytest.skip("GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0) not installed")
    rtsp, control = free_port(), free_port()
    cache = Path(os.environ.get("CG_SIMCAM_CACHE", Path.home() / ".cache" / "campusguard-simcam"))
    log = tmp_path_factory.mktemp("sim") / "sim.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(SIM), "--cameras", "8", "--port", str(rtsp), "--control-port", str(control),
             "--size", "640x360", "--bitrate", "600", "--cache", str(cache), "--seed", "1"],
            stdout=subprocess.PIPE, stderr=fh, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if '"ready"' not in line:
        proc.kill()
        pytest.fail(f"camera simulator did not start: {log.read_text()[-2000:]}")
    handle = Sim(rtsp, control, 8)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            handle.status()
            break
        except OSError:
            time.sleep(0.1)
    yield handle
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _make_cameras(db, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Cameras in a minimal test school (no demo seed: fast)."""
    with db.session() as s:
        if s.get(Region, "449900") is None:
            s.add(Region(code="449900", name="测试市", level="city", parent_code=None))
            s.add(Region(code="449901", name="测试区", level="district", parent_code="449900"))
            s.flush()
            s.add(School(code="T001", name="测试幼儿园", type="kindergarten", district_code="449901"))
            s.flush()
        school = s.scalars(select(School).where(School.code == "T001")).one()
        ids = []
        for _ in range(n):
            dev = Device(code=f"T-{uuid.uuid4().hex[:8]}", name="cam", type="camera", school_id=school.id,
                         protocol="rtsp", settings={})
            s.add(dev)
            s.flush()
            cam = Camera(device_id=dev.id, school_id=school.id, rtsp_url="rtsp://127.0.0.1:1/x", onvif={})
            s.add(cam)
            s.flush()
            ids.append(cam.id)
        return ids




@pytest.fixture
def make_cameras():  # type: ignore[no-untyped-def]
    return _make_cameras
