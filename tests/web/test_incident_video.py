"""The incident page plays its cameras live (a signed HLS URL from the video module) and lists the pre/post-alarm clip.

A real camera: the RTSP simulator of tests/video (its `sim` fixture, reused) is registered in the demo as a
camera of the school; an alarm there names it, the video module cuts a clip for `alarm.raised`, and the
operator's incident page lists the camera, asks for its live URL, really plays it in the page's <video>
(decoded frames, currentTime advancing) and lists the clip.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.video.conftest import Sim, sim  # noqa: F401 - the RTSP camera simulator fixture, reused
from tests.web.conftest import DemoServer, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg]

PLAY_TIMEOUT_MS = 120_000  # the live stream starts on demand on a shared 2-core machine: be patient, never flaky


@pytest.fixture(scope="module", autouse=True)
def _short_segments() -> Iterator[None]:
    """The demo server of this module records 2 s segments, so the camera is recorded (and live) quickly."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CG_VIDEO_SEGMENT_S", "2")
        mp.setenv("CG_VIDEO_RESTART_MIN_S", "0.5")
        yield


def _wait(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def _plays(page: Any, selector: str, beyond_s: float) -> float:
    """Wait until the <video> at selector has decoded frames (readyState >= 2) and played past beyond_s."""
    page.wait_for_function(
        "([sel, t]) => { const v = document.querySelector(sel); return !!v && v.readyState >= 2 && v.currentTime > t }",
        arg=[selector, beyond_s], timeout=PLAY_TIMEOUT_MS)
    return float(page.eval_on_selector(selector, "v => v.currentTime"))


def test_incident_page_shows_live_camera_and_alarm_clip(
    browser: Any, demo_server: DemoServer, sim: Sim, shots_dir: Path  # noqa: F811
) -> None:
    op_api = demo_server.api("operator")
    school = op_api.get("/schools", params={"limit": 1}).json()["items"][0]
    area = op_api.get(f"/schools/{school['id']}/areas").json()["items"][0]
    admin = demo_server.api("city_admin")
    made = admin.post("/cameras", json={"school_code": school["code"], "name": "报警联动测试机位",
                                        "rtsp_url": sim.url(1), "area_id": area["id"], "code": "SIMCAM-ALARM-1"})
    assert made.status_code == 201, made.text
    camera = made.json()
    # the recorder has connected to the simulator: the live view has a source to follow
    _wait(lambda: bool(admin.get(f"/cameras/{camera['id']}").json()["online"]), 120, "the camera to be online")

    incident = op_api.post("/incidents", json={"school_id": school["id"], "type": "intrusion",
                                                "area_id": area["id"]}).json()
    assert camera["device_id"] in [c["id"] for c in incident["cameras"]]
    video = op_api.get(f"/incidents/{incident['id']}/video").json()
    mapped = [c for c in video["cameras"] if c["device_id"] == camera["device_id"]]
    assert mapped and mapped[0]["camera_id"] == camera["id"] and video["can_watch"] and video["can_clip"]

    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(45_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, demo_server, "operator", "/alarm")
        with page.expect_response(re.compile(rf"/api/v1/cameras/{camera['id']}/live$")) as live:
            page.goto(f"{demo_server.base_url}/alarm/incidents/{incident['id']}")
            page.wait_for_selector(f"[data-test=incident-camera][data-camera='{camera['id']}']")
        assert live.value.status == 200
        signed = live.value.json()
        assert "/video/media/" in signed["hls_url"] and signed["watermark"]
        tile = f"[data-test=incident-live] [data-test=video-tile][data-camera='{camera['id']}']"
        page.wait_for_selector(tile)
        # it really plays: frames decoded and the clock moving on, not a frozen first frame
        first = _plays(page, f"{tile} video", beyond_s=1.0)
        page.wait_for_function("([sel, t]) => document.querySelector(sel).currentTime > t + 1",
                               arg=[f"{tile} video", first], timeout=PLAY_TIMEOUT_MS)
        size = page.eval_on_selector(f"{tile} video", "v => [v.videoWidth, v.videoHeight]")
        assert size[0] > 0 and size[0] * 9 == size[1] * 16, size  # the simulator's 16:9 frames, decoded
        assert page.locator(f"{tile} [data-test=video-error]").count() == 0
        clip = page.locator("[data-test=incident-clip]").first
        clip.wait_for()
        assert clip.get_attribute("data-status") in ("pending", "ready")
        page.screenshot(path=str(shots_dir / "incident-video.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()
