"""Broadcasts: espeak-ng TTS really played by the HTTP speaker simulator, with a delivery record each."""

from __future__ import annotations

import hashlib
import subprocess
import time
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.bulletin.conftest import SPEAKER_TOKEN

from campusguard.bulletin.tts import synthesize
from campusguard.core.db import utcnow

KG = "440303001"
SPEAKER = f"{KG}-SP01"


def _wait(
    client: TestClient, app: FastAPI, headers: dict[str, str], bid: int, until: set[str]
) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        app.state.runner.run_due_once()
        body = client.get(f"/api/v1/broadcasts/{bid}", headers=headers).json()
        if body["status"] in until or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_tts_broadcast_played_by_speaker_simulator(
    seeded: dict[str, str], client: TestClient, app: FastAPI, speaker_sim: str, login
) -> None:  # type: ignore[no-untyped-def]
    principal = login("principal")
    speakers = client.get("/api/v1/devices", headers=principal, params={"type": "speaker"}).json()["items"]
    speaker = next(d for d in speakers if d["code"] == SPEAKER)
    r = client.patch(
        f"/api/v1/devices/{speaker['id']}",
        headers=principal,
        json={"protocol": "http", "settings": {"base_url": speaker_sim}, "secret": SPEAKER_TOKEN},
    )
    assert r.status_code == 200, r.text

    r = client.post(
        "/api/v1/broadcasts",
        headers=principal,
        json={
            "title": "放学安全提醒",
            "text": "同学们，放学路上注意交通安全，不要在路边逗留。",
            "school_codes": [KG],
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["source"] == "tts" and created["duration_s"] > 1
    assert [d["status"] for d in created["deliveries"]] == ["pending"]
    done = _wait(client, app, principal, created["id"], {"done", "partial", "failed"})
    assert done["status"] == "done", done
    delivery = done["deliveries"][0]
    assert (
        delivery["device_code"] == SPEAKER and delivery["status"] == "delivered" and delivery["attempts"] == 1
    )
    wav = client.get(f"/api/v1/broadcasts/{created['id']}/audio", headers=principal).content
    played = httpx.get(f"{speaker_sim}/played", params={"code": SPEAKER}).json()["items"]
    assert played[-1]["broadcast_id"] == str(created["id"]) and played[-1]["title"] == "放学安全提醒"
    assert played[-1]["sha256"] == hashlib.sha256(wav).hexdigest()
    assert abs(played[-1]["duration_s"] - created["duration_s"]) < 0.05

    # the speaker's amplifier is down: the delivery record says so and a retry is scheduled
    httpx.post(f"{speaker_sim}/control", json={"fail_codes": [SPEAKER]})
    try:
        r = client.post(
            "/api/v1/broadcasts",
            headers=principal,
            json={"title": "测试", "text": "测试广播", "school_codes": [KG]},
        )
        failed = _wait(client, app, principal, r.json()["id"], {"sending", "failed"})
    finally:
        httpx.post(f"{speaker_sim}/control", json={"fail_codes": []})
    assert failed["status"] == "sending"
    assert failed["deliveries"][0]["status"] == "failed" and "503" in failed["deliveries"][0]["detail"]

    # scheduled for later, then cancelled: nothing is played
    later = (utcnow() + timedelta(hours=2)).isoformat()
    r = client.post(
        "/api/v1/broadcasts",
        headers=principal,
        json={
            "title": "明日演练",
            "text": "明天上午十点进行消防疏散演练。",
            "school_codes": [KG],
            "scheduled_at": later,
        },
    )
    assert r.status_code == 201 and r.json()["status"] == "scheduled"
    cancelled = client.post(f"/api/v1/broadcasts/{r.json()['id']}/cancel", headers=principal)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/broadcasts/{r.json()['id']}/cancel", headers=principal).status_code == 409

    # an uploaded recording (Ogg from ffmpeg) is converted to WAV and played
    ogg = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "wav",
            "-i",
            "pipe:0",
            "-c:a",
            "libvorbis",
            "-f",
            "ogg",
            "pipe:1",
        ],
        input=synthesize("请注意"),
        capture_output=True,
        check=True,
    ).stdout
    r = client.post(
        "/api/v1/broadcasts/recording",
        headers=principal,
        files={"file": ("notice.ogg", ogg, "audio/ogg")},
        data={"title": "录音广播", "school_codes": KG},
    )
    assert r.status_code == 201, r.text
    assert _wait(client, app, principal, r.json()["id"], {"done", "failed", "partial"})["status"] == "done"
    junk = client.post(
        "/api/v1/broadcasts/recording",
        headers=principal,
        files={"file": ("x.mp3", b"not audio at all" * 10, "audio/mpeg")},
        data={"title": "x", "school_codes": KG},
    )
    assert junk.status_code == 415

    # bad input and scope
    assert (
        client.post(
            "/api/v1/broadcasts",
            headers=principal,
            json={"title": "x", "text": "x", "school_codes": ["440304001"]},
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/broadcasts",
            headers=login("guard"),
            json={"title": "x", "text": "x", "school_codes": [KG]},
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/broadcasts",
            headers=principal,
            json={"title": "x", "text": "x", "school_codes": [KG], "voice": "--evil"},
        ).status_code
        == 422
    )
    listed = client.get("/api/v1/broadcasts", headers=login("police")).json()
    assert listed["total"] == 4
    assert client.get("/api/v1/broadcasts", headers=login("police04")).json()["total"] == 0
