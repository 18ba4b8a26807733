"""Recording workers and their manager: workers announce themselves, the manager assigns cameras."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

import anyio
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campusguard.adapters.ffmpeg.live import LiveRegistry
from campusguard.adapters.ffmpeg.probe import ProbeError, probe
from campusguard.adapters.ffmpeg.recorder import GapInfo, Recorder
from campusguard.adapters.ffmpeg.segments import SegmentInfo
from campusguard.adapters.ffmpeg.supervisor import Backoff
from campusguard.bus.bus import EventBus
from campusguard.bus.events import Event
from campusguard.bus.outbox import publish
from campusguard.config import Settings
from campusguard.core.db import Database, utcnow
from campusguard.device import service as devices
from campusguard.video import service
from campusguard.video.events import CamerasAssigned, CameraStatusChanged, WorkerAnnounced
from campusguard.video.models import Camera, Worker
from campusguard.video.storage import live_root, rec_dir

log = structlog.get_logger(__name__)
WORKER_TTL_S = 30
HEARTBEAT_S = 10


# --- the manager (one at a time in the cluster: a periodic task under the job runner's lease) ----------

def assign(session: Session, now: datetime | None = None) -> dict[str, list[int]]:
    """Give unassigned cameras and cameras of dead workers to the least-loaded live workers."""
    now = now or utcnow()
    alive = {w.name: w for w in session.scalars(select(Worker).where(
        Worker.last_seen > now - timedelta(seconds=WORKER_TTL_S))).all()}
    cams = list(session.scalars(select(Camera).order_by(Camera.id)).all())
    load: dict[str, int] = dict.fromkeys(alive, 0)
    for cam in cams:
        if cam.recording and cam.worker in alive:
            load[cam.worker] += 1
    changed: dict[str, list[int]] = {}
    for cam in cams:
        if not cam.recording:
            if cam.worker is not None:
                changed.setdefault(cam.worker, [])
                cam.worker = None
            continue
        if cam.worker in alive:
            continue
        free = [n for n in alive if load[n] < alive[n].capacity]
        if not free:
            if cam.worker is not None:
                cam.worker = None
            continue
        target = min(free, key=lambda n: (load[n], n))
        if cam.worker is not None:
            changed.setdefault(cam.worker, [])
        cam.worker = target
        load[target] += 1
        changed.setdefault(target, [])
    session.flush()
    for worker in changed:
        ids = list(session.scalars(select(Camera.id).where(Camera.worker == worker,
                                                           Camera.recording.is_(True))))
        changed[worker] = ids
        publish(session, CamerasAssigned(worker=worker, camera_ids=ids))
    for name in alive:
        alive[name].cameras = int(session.scalar(select(func.count()).select_from(Camera)
                                                 .where(Camera.worker == name)) or 0)
    if changed:
        log.info("cameras assigned", changes={k: len(v) for k, v in changed.items()})
    return changed


def heartbeat(session: Session, name: str, capacity: int, *, announce: bool = False) -> None:
    now = utcnow()
    row = session.get(Worker, name)
    if row is None:
        session.add(Worker(name=name, capacity=capacity, last_seen=now, started_at=now, cameras=0))
    else:
        row.last_seen, row.capacity = now, capacity
    if announce:
        publish(session, WorkerAnnounced(worker=name, capacity=capacity))
    session.flush()


# --- the worker ----------------------------------------------------------------------------------------

class VideoNode:
    """Runs the recorders of the cameras assigned to this node and its on-demand live streams."""

    def __init__(self, db: Database, settings: Settings, *, name: str, capacity: int = 100,
                 segment_s: int = 10, record: bool = True) -> None:
        self.db = db
        self.settings = settings
        self.name = name
        self.capacity = capacity
        self.segment_s = segment_s
        self.record = record
        self.recorders: dict[int, Recorder] = {}
        self.assigned: list[int] = []
        self._urls: dict[int, str] = {}
        self.live = LiveRegistry(live_root(settings), idle_s=150)
        self._tasks: list[asyncio.Task[None]] = []
        self._reconcile_now = asyncio.Event()

    async def start(self, bus: EventBus | None = None) -> None:
        await anyio.to_thread.run_sync(self._beat, True)
        if bus is not None:
            bus.listen(self.on_event)
        self.live.start()
        self._tasks.append(asyncio.create_task(self._loop(), name=f"video-node:{self.name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*(r.stop() for r in self.recorders.values()), return_exceptions=True)
        self.recorders.clear()
        await self.live.stop()

    async def on_event(self, event: Event) -> None:
        """The manager's assignment reached this node over the bus: reconcile now, not at the next beat."""
        if event.type == "video.cameras.assigned" and getattr(event, "worker", None) == self.name:
            self.assigned = [int(i) for i in getattr(event, "camera_ids", [])]
            self._reconcile_now.set()

    def _beat(self, announce: bool = False) -> None:
        with self.db.session() as s:
            heartbeat(s, self.name, self.capacity, announce=announce)
            if announce:
                assign(s)

    async def _loop(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(self._beat)
                if self.record:
                    await self.reconcile()
            except Exception:
                log.exception("video node loop failed", node=self.name)
            self._reconcile_now.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reconcile_now.wait(), HEARTBEAT_S)

    def _desired(self) -> dict[int, tuple[str, datetime | None]]:
        with self.db.session() as s:
            cams = s.scalars(select(Camera).where(Camera.worker == self.name,
                                                  Camera.recording.is_(True))).all()
            return {c.id: (service.stream_url(c), c.last_segment_end) for c in cams}

    async def reconcile(self) -> None:
        """Start recorders for newly assigned cameras, stop the ones taken away or changed."""
        desired = await anyio.to_thread.run_sync(self._desired)
        for cam_id in list(self.recorders):
            if cam_id not in desired or desired[cam_id][0] != self._urls.get(cam_id):
                rec = self.recorders.pop(cam_id)
                await rec.stop()
        for cam_id, (url, last_end) in desired.items():
            if cam_id not in self.recorders:
                self.recorders[cam_id] = self._recorder(cam_id, url, last_end)
                self._urls[cam_id] = url
                self.recorders[cam_id].start()

    def _recorder(self, cam_id: int, url: str, last_end: datetime | None) -> Recorder:
        need_probe = {"flag": True}

        async def on_segment(seg: SegmentInfo) -> None:
            info = None
            if need_probe["flag"]:
                with contextlib.suppress(ProbeError):
                    info = (await probe(str(seg.path), timeout_s=10)).as_dict()
                    need_probe["flag"] = False  # until one probe succeeds, try again on the next segment
            await anyio.to_thread.run_sync(self._store_segment, cam_id, seg, info)

        async def on_gap(gap: GapInfo) -> None:
            await anyio.to_thread.run_sync(self._store_gap, cam_id, gap)

        async def on_status(status: str, reason: str) -> None:
            if status == "recording":
                need_probe["flag"] = True  # the stream may have changed while the camera was away
            await anyio.to_thread.run_sync(self._store_status, cam_id, status, reason)

        restart_min = self.settings.video_restart_min_s
        return Recorder(f"cam{cam_id}", url, rec_dir(self.settings, cam_id), on_segment=on_segment,
                        on_gap=on_gap, on_status=on_status, segment_s=self.segment_s, last_end=last_end,
                        backoff=Backoff(minimum=restart_min, maximum=30, stable_after=30))

    def _store_segment(self, cam_id: int, seg: SegmentInfo, info: dict[str, Any] | None) -> None:
        with self.db.session() as s:
            service.index_segment(s, camera_id=cam_id, path=str(seg.path), start=seg.start, end=seg.end,
                                  size=seg.bytes)
            cam = s.get(Camera, cam_id)
            if info and cam is not None:
                cam.codec, cam.width, cam.height = info["codec"], info["width"], info["height"]
                cam.fps = info["fps"]
                cam.bitrate_kbps = info["bitrate_kbps"] or (
                    int(seg.bytes * 8 / 1000 / seg.duration_s) if seg.duration_s > 0 else None)

    def _store_gap(self, cam_id: int, gap: GapInfo) -> None:
        with self.db.session() as s:
            service.record_gap(s, camera_id=cam_id, start=gap.start, end=gap.end, reason=gap.reason)

    def _store_status(self, cam_id: int, status: str, reason: str) -> None:
        with self.db.session() as s:
            cam = s.get(Camera, cam_id)
            if cam is None:
                return
            changed = cam.status != status
            cam.status, cam.status_reason = status, (reason or None) and reason[:300]
            devices.set_presence(s, device_id=cam.device_id, online=status == "recording", last_seen=utcnow(),
                                 reason=None if status == "recording" else (reason or status)[:128])
            if changed:
                publish(s, CameraStatusChanged(school_id=cam.school_id, camera_id=cam.id,
                                               device_id=cam.device_id, status=status, reason=reason or None))

    def touch_live(self, cam: Camera) -> None:
        """A viewer asked: index the camera's recording as live HLS (a packager if it is not recorded)."""
        key = f"cam{cam.id}"
        if cam.recording:
            self.live.recorded(key, rec_dir(self.settings, cam.id), self.segment_s).touch()
        else:
            self.live.get(key, service.stream_url(cam, sub=True)).touch()


def release_worker(session: Session, name: str) -> None:
    """A worker leaving cleanly gives its cameras back at once."""
    session.execute(update(Camera).where(Camera.worker == name).values(worker=None))
    session.execute(update(Worker).where(Worker.name == name).values(last_seen=utcnow() - timedelta(days=1)))


async def run_standalone(capacity: int) -> None:
    """`campusguard video worker`: bus + database, no HTTP; stops cleanly on SIGTERM/SIGINT."""
    import signal

    from campusguard.bus.bus import make_backend
    from campusguard.config import get_settings
    from campusguard.core import crypto
    from campusguard.video.state import state

    settings = get_settings()
    keys = [settings.data_key.get_secret_value()] if settings.data_key else []
    crypto.configure(*keys, settings.secret())
    db = Database(settings.db_url)
    bus = EventBus(db, make_backend(settings.bus_url, settings.bus_stream, settings.bus_prefix))
    state.settings = settings
    node = VideoNode(db, settings, name=f"{settings.node_name}-video", capacity=capacity,
                     segment_s=settings.video_segment_s)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await bus.start()
    await node.start(bus)
    log.info("video worker running", node=node.name, capacity=capacity)
    try:
        await stop.wait()
    finally:
        await node.stop()
        with db.session() as s:
            release_worker(s, node.name)
        await bus.stop()
        db.dispose()
