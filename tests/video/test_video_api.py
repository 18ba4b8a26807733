"""End to end through the API: a camera added is recorded, played back, watched live, clipped, audited."""

from __future__ import annotations

import hashlib
import io
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import av
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from campusguard.accounts.models import User
from campusguard.alarm.events import AlarmRaised
from campusguard.core.db import Database
from campusguard.core.models import AuditLog
from campusguard.video import handlers
from campusguard.video.clips import manifest_signature
from campusguard.video.models import Clip, Hold

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(autouse=True)
def _short_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG_VIDEO_SEGMENT_S", "1")
    monkeypatch.setenv("CG_VIDEO_RESTART_MIN_S", "0.3")


def _wait(fn: Any, timeout: float, step: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(step)
    return fn()


def _school_code(db: Database, username: str) -> str:
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        return str(user.school_codes[0])


def test_camera_recorded_played_live_clipped_audited(client: TestClient, seeded, login, db: Database,
                                                     sim, app) -> None:  # type: ignore[no-untyped-def]
    h = login("principal")
    code = _school_code(db, "principal")
    bad = client.post("/api/v1/cameras", headers=h, json={"school_code": code, "name": "x",
                                                          "rtsp_url": "http://nope"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    r = client.post("/api/v1/cameras", headers=h, json={
        "school_code": code, "name": "正门摄像机", "rtsp_url": sim.url(1), "username": "admin",
        "password": "s3cret-pw"})
    assert r.status_code == 201, r.text
    cam_id = r.json()["id"]
    assert r.json()["has_credentials"] and "s3cret" not in r.text
    with db.session() as s:
        raw = s.execute(text("SELECT password FROM video_cameras WHERE id = :i"), {"i": cam_id}).scalar_one()
        assert "s3cret-pw" not in str(raw)
    listed = client.get("/api/v1/cameras", headers=h).json()
    assert cam_id in [c["id"] for c in listed["items"]]
    assert client.get("/api/v1/cameras", headers=login("parent")).status_code == 403

    start = datetime.now(UTC) - timedelta(seconds=5)

    def timeline() -> dict[str, Any]:
        end = datetime.now(UTC) + timedelta(seconds=5)
        q = urlencode({"start": start.isoformat(), "end": end.isoformat()})
        resp = client.get(f"/api/v1/cameras/{cam_id}/recordings?{q}", headers=h)
        assert resp.status_code == 200, resp.text
        data: dict[str, Any] = resp.json()
        return data

    assert _wait(lambda: len(timeline()["segments"]) >= 4, 25), timeline()
    cam = _wait(lambda: (lambda c: c if c["codec"] else None)(
        client.get(f"/api/v1/cameras/{cam_id}", headers=h).json()), 10)
    assert (cam["status"], cam["codec"], cam["width"], cam["height"]) == ("recording", "h264", 640, 360)
    assert cam["online"] is True

    # the camera drops off the network and comes back: the gap is in the timeline with its reason
    sim.drop(1)
    time.sleep(1.5)
    sim.restore(1)
    data = _wait(lambda: (lambda t: t if t["gaps"] and t["segments"][-1]["start"] > t["gaps"][0]["end"][:19]
                          else None)(timeline()), 25)
    assert data, timeline()
    gap = data["gaps"][0]
    assert gap["reason"] and (datetime.fromisoformat(gap["end"]) - datetime.fromisoformat(gap["start"])
                              ).total_seconds() >= 1.0

    # playback: signed VOD playlist over the fMP4 files, byte ranges served by the app
    pl = client.get(data["playlist_url"])
    assert pl.status_code == 200 and pl.text.startswith("#EXTM3U") and "#EXT-X-ENDLIST" in pl.text
    assert "#EXT-X-DISCONTINUITY" in pl.text
    media = re.findall(r'^(/api/v1/video/media/\S+)$', pl.text, re.M)
    rng = re.search(r"#EXT-X-BYTERANGE:(\d+)@(\d+)", pl.text)
    assert media and rng
    length, offset = int(rng.group(1)), int(rng.group(2))
    part = client.get(media[0], headers={"Range": f"bytes={offset}-{offset + length - 1}"})
    assert part.status_code == 206 and len(part.content) == length
    sig = media[0].split("/")[5]
    tampered = media[0].replace(sig, ("A" if sig[0] != "A" else "B") + sig[1:])
    assert client.get(tampered).status_code == 403
    other_cam = media[0].replace(f"/rec/cam{cam_id}/", f"/rec/cam{cam_id + 1}/")
    assert client.get(other_cam).status_code == 403
    q = parse_qs(urlsplit(data["playlist_url"]).query)
    q["sig"] = ["0" * 32]
    assert client.get(f"/api/v1/cameras/{cam_id}/vod.m3u8?{urlencode(q, doseq=True)}").status_code == 403

    # live: signed HLS URL; the live index of the recording starts on demand; unsigned it is refused
    live = client.get(f"/api/v1/cameras/{cam_id}/live", headers=h)
    assert live.status_code == 200, live.text
    hls = live.json()["hls_url"]
    assert "principal" in live.json()["watermark"] or live.json()["watermark"]
    playlist = _wait(lambda: (lambda r: r if r.status_code == 200 else None)(client.get(hls)), 20)
    assert playlist is not None and "#EXTM3U" in playlist.text
    listed = _wait(lambda: re.findall(r"#EXTINF:([\d.]+),\n#EXT-X-BYTERANGE:(\d+)@(\d+)\n(\S+\.mp4)$",
                                      client.get(hls).text, re.M), 15)
    duration, length, offset, name = float(listed[-1][0]), int(listed[-1][1]), int(listed[-1][2]), listed[-1][3]
    seg = client.get(hls.rsplit("/", 1)[0] + "/" + name, headers={"Range": f"bytes={offset}-{offset + length - 1}"})
    assert seg.status_code == 206 and len(seg.content) == length and seg.content[4:8] == b"moof"
    init = int(re.findall(r'#EXT-X-MAP:URI="[^"]+",BYTERANGE="(\d+)@0"', client.get(hls).text)[-1])
    head = client.get(hls.rsplit("/", 1)[0] + "/" + name, headers={"Range": f"bytes=0-{init - 1}"})
    with av.open(io.BytesIO(head.content + seg.content), format="mp4") as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames >= 1 and abs(frames - round(duration * 25)) <= 1  # the frames the playlist announces
    parts = hls.split("/")
    unsigned = "/".join(parts[:5] + ["x" * 22] + parts[6:])
    assert client.get(unsigned).status_code == 403
    expired = "/".join(parts[:6] + [str(int(time.time()) - 10)] + parts[7:])
    assert client.get(expired).status_code in (403, 410)

    # evidence clip of a recorded range: hashed, signed manifest, held, custody audited
    segs = data["segments"]
    c_start, c_end = segs[0]["start"], segs[1]["end"]
    clip = client.post(f"/api/v1/cameras/{cam_id}/clips", headers=h,
                       json={"start": c_start, "end": c_end, "reason": "打架事件取证"})
    assert clip.status_code == 201, clip.text
    body = clip.json()
    assert body["status"] == "ready", body
    f = client.get(body["download_url"], headers=h)
    assert f.status_code == 200 and hashlib.sha256(f.content).hexdigest() == body["sha256"]
    assert body["manifest"]["sha256"] == body["sha256"] and body["manifest"]["created_by"] == "principal"
    assert manifest_signature(app.state.settings, body["manifest"]) == body["signature"]
    bad_clip = client.post(f"/api/v1/cameras/{cam_id}/clips", headers=h,
                           json={"start": c_end, "end": c_start, "reason": "backwards"})
    assert bad_clip.status_code == 422

    # an incident on this camera (alarm.raised) gets its clip with pre-alarm video from the recording
    device_id = client.get(f"/api/v1/cameras/{cam_id}", headers=h).json()["device_id"]
    at = datetime.fromisoformat(segs[1]["end"])  # segments 1 and 2 are complete, before the drop-out
    event = AlarmRaised(incident_id=4242, alarm_type="intrusion", priority="high", title="周界入侵",
                        school_name="k", school_code=code, cameras=[{"id": device_id}], raised_at=at,
                        device_occurred_at=at)
    with db.session() as s:
        handlers.on_alarm_raised(s, event, pre_s=1, post_s=1)
    with db.session() as s:
        incident_clip = s.scalars(select(Clip).where(Clip.incident_id == 4242)).one()
        assert incident_clip.status == "ready" and incident_clip.manifest["incident_id"] == 4242
        assert incident_clip.manifest["recorded_s"] >= 0.9 and incident_clip.sha256
        assert len(s.scalars(select(Hold).where(Hold.incident_id == 4242)).all()) == 2  # window + clip
    listed = client.get(f"/api/v1/cameras/{cam_id}/clips", headers=h, params={"incident_id": 4242}).json()
    assert listed["total"] == 1 and listed["items"][0]["incident_id"] == 4242  # the incident page's clips
    assert client.get(f"/api/v1/cameras/{cam_id}/clips", headers=h).json()["total"] == 2

    # viewer history for admins; everything audited
    viewers = client.get(f"/api/v1/cameras/{cam_id}/viewers", headers=h).json()
    assert {v["kind"] for v in viewers["items"]} >= {"live", "playback"}
    assert all(v["user_name"] == "principal" for v in viewers["items"])
    assert client.get(f"/api/v1/cameras/{cam_id}/viewers", headers=login("operator")).status_code == 403
    with db.session() as s:
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.target_id.in_(
            [str(cam_id), str(body["id"])]))).all())
    assert {"video.camera.create", "video.live", "video.playback", "video.clip.create",
            "video.clip.sealed", "video.clip.download"} <= actions

