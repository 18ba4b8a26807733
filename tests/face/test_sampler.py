"""Entrance camera sampling: keyframes of a real H.264 stream (ffmpeg) become one passage."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sim.gates.terminal import letterbox
from sqlalchemy import select

from campusguard.device.models import Device
from campusguard.face.sampler import run_camera, sample_jpegs

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def clip(tmp_path_factory, faces_dir):  # type: ignore[no-untyped-def]
    if shutil.which("ffmpeg") is None:
        if os.environ.get("CI"):
            pytest.fail("ffmpeg is required in CI (make test installs it)")
        pytest.skip("ffmpeg not installed")
    d = tmp_path_factory.mktemp("clip")
    (d / "frame.jpg").write_bytes(letterbox(faces_dir / "kit_harington" / "2.jpg"))
    out = d / "gate.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-loop", "1", "-i", str(d / "frame.jpg"), "-t", "3",
                    "-r", "5", "-g", "5", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


def test_keyframes_are_sampled(clip) -> None:
    frames = list(sample_jpegs(str(clip), every_s=1.0))
    assert 2 <= len(frames) <= 4 and all(f.startswith(b"\xff\xd8") for f in frames)


def test_camera_frames_make_one_passage(db, kg, clip, face_pool) -> None:
    with db.session() as s:
        camera = s.scalars(select(Device.code).where(Device.school_id == kg["school_id"],
                                                     Device.type == "camera")).first()
    results = run_camera(db, camera, str(clip), every_s=1.0)
    events = [r.faces[0].event for r in results]
    assert events[0] == "new" and set(events[1:]) == {"merged"}
    assert len({r.faces[0].capture_id for r in results}) == 1
