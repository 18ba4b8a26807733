"""Diagnostics decode real frames from the simulator: healthy, frozen, black, blurred, no signal."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from campusguard.video.diagnostics import Sample, analyse, diagnose, laplacian_variance

pytestmark = pytest.mark.ffmpeg


def test_scenes_are_diagnosed(sim) -> None:  # type: ignore[no-untyped-def]
    scenes = {3: "frozen", 4: "black", 5: "blur", 6: "normal"}
    for cam, scene in scenes.items():
        sim.scene(cam, scene)
    sim.drop(2)
    time.sleep(1.1)  # scenes switch at the next keyframe
    try:
        with ThreadPoolExecutor(5) as pool:
            results = dict(zip([*scenes, 2], pool.map(
                lambda n: diagnose(sim.url(n), min_height=360, count=2, timeout_s=5), [*scenes, 2]),
                strict=True))
    finally:
        sim.restore(2)
        for cam in scenes:
            sim.scene(cam, "normal")
    kinds = {n: {f.kind for f in findings} for n, (_sample, findings) in results.items()}
    assert kinds == {3: {"frozen"}, 4: {"black"}, 5: {"blur"}, 6: set(), 2: {"no_signal"}}
    healthy = results[6][0]
    assert (healthy.width, healthy.height, healthy.codec) == (640, 360, "h264")
    assert {f.kind for f in analyse(healthy, min_height=720)} == {"low_resolution"}


def test_thresholds_on_synthetic_frames() -> None:
    rng = np.random.default_rng(1)
    sharp = rng.integers(0, 255, (90, 160), dtype=np.uint8)
    grey = np.full((90, 160), 128, dtype=np.uint8)
    assert laplacian_variance(sharp) > 1000
    assert laplacian_variance(grey) == 0
    assert {f.kind for f in analyse(Sample([grey, grey], width=160, height=90), min_height=90)} == {"uniform"}
    moving = [sharp, np.roll(sharp, 3, axis=1)]
    assert analyse(Sample(moving, width=160, height=90), min_height=90) == []
    assert {f.kind for f in analyse(Sample([], error="timeout"))} == {"no_signal"}
