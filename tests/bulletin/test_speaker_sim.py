"""The HTTP speaker driver against the real speaker simulator process (espeak-ng audio)."""

import httpx
from tests.bulletin.conftest import free_port

from campusguard.bulletin.drivers import HttpSpeakerDriver, SpeakerTarget
from campusguard.bulletin.tts import synthesize


def _target(base: str, code: str, secret: str | None = "spk-secret") -> SpeakerTarget:
    return SpeakerTarget(device_id=1, code=code, protocol="http", settings={"base_url": base}, secret=secret)


def test_tts_played_by_simulator(speaker_sim: str) -> None:
    audio = synthesize("请注意，今天下午进行消防演练。")
    result = HttpSpeakerDriver().play(_target(speaker_sim, "SPK-A"), audio, broadcast_id=41, title="消防演练")
    assert result.ok and result.duration_s and result.duration_s > 1
    played = httpx.get(f"{speaker_sim}/played", params={"code": "SPK-A"}).json()["items"]
    assert played[-1]["broadcast_id"] == "41" and played[-1]["title"] == "消防演练"
    assert played[-1]["bytes"] == len(audio)


def test_wrong_secret_and_outage_and_bad_audio(speaker_sim: str) -> None:
    driver = HttpSpeakerDriver(timeout_s=2)
    assert not driver.play(_target(speaker_sim, "SPK-B", "wrong"), b"", broadcast_id=1, title="x").ok
    httpx.post(f"{speaker_sim}/control", json={"fail_codes": ["SPK-C"]})
    r = driver.play(_target(speaker_sim, "SPK-C"), synthesize("测试"), broadcast_id=2, title="x")
    assert not r.ok and "503" in r.detail
    r = driver.play(_target(speaker_sim, "SPK-B"), b"RIFFnope", broadcast_id=3, title="x")
    assert not r.ok and "415" in r.detail
    dead = SpeakerTarget(1, "X", "http", {"base_url": f"http://127.0.0.1:{free_port()}"}, None)
    assert driver.play(dead, b"", broadcast_id=4, title="x").detail.startswith("unreachable")
    assert not driver.play(SpeakerTarget(1, "X", "http", {}, None), b"", broadcast_id=5, title="x").ok
