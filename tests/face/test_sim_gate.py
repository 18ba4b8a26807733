"""The gate simulator against the real app: a burst of frames of one passer-by is one passage."""

from __future__ import annotations

from sim.gates.terminal import GateTerminal, letterbox


def test_burst_of_frames_is_one_passage(client, login, kg, faces_dir, face_pool) -> None:
    token = kg["device_auth"]["Authorization"].split()[1]
    gate = GateTerminal("", kg["device"], token, direction="in")
    path = faces_dir / "kit_harington" / "2.jpg"
    answers = [gate.post(client, letterbox(path, shift=s)) for s in (-12, 0, 12)]
    assert [a["http_status"] for a in answers] == [200, 200, 200]
    events = [a["faces"][0]["event"] for a in answers]
    assert events == ["new", "merged", "merged"]
    assert len({a["faces"][0]["capture_id"] for a in answers}) == 1
    rows = client.get("/api/v1/face/captures", headers=login("operator")).json()
    assert rows["total"] == 1 and rows["items"][0]["frames"] == 3
