"""Workers announce themselves, the manager assigns cameras and fails over; assignments travel the bus."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from campusguard.bus.bus import EventBus, make_backend
from campusguard.bus.events import GenericEvent
from campusguard.config import Settings
from campusguard.core.db import Database, utcnow
from campusguard.core.models import OutboxEvent
from campusguard.device.models import Device
from campusguard.video.models import Camera, Worker
from campusguard.video.workers import VideoNode, assign, heartbeat


def test_assign_balances_respects_capacity_and_fails_over(db: Database, make_cameras) -> None:  # type: ignore[no-untyped-def]
    ids = make_cameras(db, 5)
    with db.session() as s:
        heartbeat(s, "w1", 2)
        heartbeat(s, "w2", 10)
        assign(s)
    with db.session() as s:
        owners = {c.id: c.worker for c in s.scalars(select(Camera)).all()}
        assert sum(1 for w in owners.values() if w == "w1") == 2
        assert sum(1 for w in owners.values() if w == "w2") == 3
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "video.cameras.assigned")).all()
        assert {e.payload["worker"] for e in events} == {"w1", "w2"}
        # w1 stops beating: its cameras move to w2; a camera switched off is released
        s.get(Worker, "w1").last_seen = utcnow() - timedelta(minutes=5)
        s.get(Camera, ids[0]).recording = False
        s.flush()
        changed = assign(s)
        assert set(changed) >= {"w2"}
    with db.session() as s:
        owners = {c.id: c.worker for c in s.scalars(select(Camera)).all()}
        assert owners[ids[0]] is None
        assert all(owners[i] == "w2" for i in ids[1:])
        assert assign(s) == {}  # stable: nothing changes without a reason


async def _two_nodes(db: Database, url: str, tmp_path, make_cameras) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:8]
    settings = Settings(data_dir=tmp_path, secret_key="x" * 40, database_url=db.url)
    # NATS: one bus per machine; memory: one process, one bus
    buses = [EventBus(db, make_backend(url, stream=f"CGVID_{tag}", prefix=f"cgv{tag}"))
             for _ in range(2 if url.startswith("nats") else 1)]
    nodes = [VideoNode(db, settings, name=f"node-{tag}-{i}", capacity=10, record=False) for i in range(2)]
    for bus in buses:
        await bus.start()
    try:
        for i, node in enumerate(nodes):
            await node.start(buses[i % len(buses)])
        ids = make_cameras(db, 4)
        with db.session() as s:
            assign(s)
        deadline = asyncio.get_running_loop().time() + 15
        while sorted(nodes[0].assigned + nodes[1].assigned) != sorted(ids):
            assert asyncio.get_running_loop().time() < deadline, (nodes[0].assigned, nodes[1].assigned)
            await asyncio.sleep(0.05)
        assert nodes[0].assigned and nodes[1].assigned  # spread over both machines
    finally:
        for node in nodes:
            await node.stop()
        for bus in buses:
            await bus.stop()
        if url.startswith("nats"):
            import nats

            nc = await nats.connect(url)
            await nc.jetstream().delete_stream(f"CGVID_{tag}")
            await nc.close()


async def test_assignment_reaches_workers_over_memory_bus(db: Database, tmp_path, make_cameras) -> None:  # type: ignore[no-untyped-def]
    if db.dialect != "sqlite":
        pytest.skip("the memory bus is per process; one backend is enough")
    await _two_nodes(db, "memory://", tmp_path, make_cameras)


async def test_assignment_reaches_workers_over_nats(  # type: ignore[no-untyped-def]
        db: Database, nats_url: str, tmp_path, make_cameras) -> None:
    if db.dialect != "postgresql":
        pytest.skip("several machines share PostgreSQL and NATS")
    await _two_nodes(db, nats_url, tmp_path, make_cameras)


def test_unknown_event_types_are_ignored() -> None:
    node = VideoNode.__new__(VideoNode)
    node.name, node.assigned = "n", []
    node._reconcile_now = asyncio.Event()
    asyncio.run(node.on_event(GenericEvent(type="video.cameras.assigned", worker="other", camera_ids=[1])))
    assert node.assigned == []


def test_attach_sim_streams_to_bare_camera_devices(db: Database, make_cameras) -> None:  # type: ignore[no-untyped-def]
    from campusguard.video.service import attach_streams

    make_cameras(db, 1)
    with db.session() as s:
        school_id = s.scalars(select(Camera.school_id)).first()
        for n in range(3):
            s.add(Device(code=f"BARE-{uuid.uuid4().hex[:6]}-{n}", name="bare", type="camera", school_id=school_id,
                         protocol="rtsp", settings={}))
    with db.session() as s:
        made = attach_streams(s, base="rtsp://127.0.0.1:8554", mounts=2)
    assert len(made) == 3
    with db.session() as s:
        urls = sorted(s.get(Camera, i).rtsp_url for i in made)
    assert urls == ["rtsp://127.0.0.1:8554/cam1", "rtsp://127.0.0.1:8554/cam1", "rtsp://127.0.0.1:8554/cam2"]
