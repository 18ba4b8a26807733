"""Device presence: heartbeats land in memory; a flush writes last_seen in batches and a sweep marks silence.

No database write per heartbeat: 10,000 alarm points every 10 s would be 1,000 writes/s for nothing.
Each node keeps the devices it heard from; `flush` (per node, every few seconds) writes last_seen for
all of them in one transaction and brings offline devices back online; `sweep` (cluster-wide periodic
job) marks devices offline once they are silent past `factor` x their heartbeat interval. Transitions go
through `device.service.set_presence`, which publishes `device.online` / `device.offline`.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.device import service as devices
from campusguard.device.models import Device
from campusguard.org.models import School

log = structlog.get_logger(__name__)

SUPERVISED_PROTOCOLS = ("mqtt", "dc09", "http")
DEFAULT_FACTOR = 3.0


class PresenceTable:
    """Last time each device was heard by this node; thread-safe, O(1) per heartbeat."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: dict[int, datetime] = {}
        self.heard = 0

    def seen(self, device_id: int, at: datetime) -> None:
        """Record a sign of life (heartbeat or any event)."""
        with self._lock:
            prior = self._dirty.get(device_id)
            if prior is None or at > prior:
                self._dirty[device_id] = at
            self.heard += 1

    def drain(self) -> dict[int, datetime]:
        """Take everything heard since the last flush."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
        return dirty

    def restore(self, pending: dict[int, datetime]) -> None:
        """Put back a batch whose flush failed so it is written next time."""
        with self._lock:
            for device_id, at in pending.items():
                prior = self._dirty.get(device_id)
                if prior is None or at > prior:
                    self._dirty[device_id] = at

    def __len__(self) -> int:
        with self._lock:
            return len(self._dirty)


def touch_bulk(session: Session, last_seen: dict[int, datetime]) -> None:
    """One executemany for the whole batch (a per-row UPDATE loop holds SQLite's write lock for seconds)."""
    if last_seen:
        session.execute(update(Device), [{"id": i, "last_seen": at} for i, at in sorted(last_seen.items())])


def flush(session: Session, table: PresenceTable, *, limit: int = 2000) -> tuple[int, int]:
    """Write last_seen for up to `limit` devices heard; devices that were offline come back online.

    Returns (devices written, devices brought online); what is left waits for the next call, so a
    transaction stays short. The caller's session boundary commits.
    """
    pending = table.drain()
    if not pending:
        return 0, 0
    if len(pending) > limit:
        ids = sorted(pending)
        table.restore({i: pending[i] for i in ids[limit:]})
        pending = {i: pending[i] for i in ids[:limit]}
    try:
        touch_bulk(session, pending)
        back = session.scalars(
            select(Device.id).where(Device.id.in_(sorted(pending)), Device.online.is_(False))
        ).all()
        for device_id in back:
            devices.set_presence(session, device_id=device_id, online=True, last_seen=pending[device_id],
                                 reason=None)
        session.flush()
    except Exception:
        table.restore(pending)
        raise
    return len(pending), len(back)


def sweep(session: Session, *, now: datetime | None = None, factor: float = DEFAULT_FACTOR,
          max_changes: int = 500, mass_ratio: float = 0.2, mass_min_devices: int = 200) -> list[int]:
    """Mark supervised devices offline when silent past factor x heartbeat_s; returns their ids.

    At most `max_changes` per run keeps the transaction short. When a large fleet (at least
    `mass_min_devices`) would lose more than `mass_ratio` of its online devices at once, the silence is
    the platform's or the broker's, not the devices': nothing is marked and an error is logged.
    """
    now = now or utcnow()
    supervised = (Device.online.is_(True), Device.protocol.in_(SUPERVISED_PROTOCOLS), Device.installed.is_(True))
    online = int(session.scalar(select(func.count()).select_from(Device).where(*supervised)) or 0)
    silent: list[tuple[int, int]] = []
    # one indexed query per heartbeat period in use (a handful), not every device read into Python
    for heartbeat_s in session.scalars(select(Device.heartbeat_s).where(*supervised).distinct()).all():
        window = timedelta(seconds=max(1, heartbeat_s or 60) * factor)
        cutoff = now - window
        period = Device.heartbeat_s.is_(None) if heartbeat_s is None else Device.heartbeat_s == heartbeat_s
        never = and_(Device.last_seen.is_(None), or_(Device.created_at.is_(None), Device.created_at < cutoff))
        ids = session.scalars(select(Device.id).where(*supervised, period, or_(Device.last_seen < cutoff, never))
                              .order_by(Device.id)).all()
        silent.extend((device_id, int(window.total_seconds())) for device_id in ids)
    if online >= mass_min_devices and len(silent) > mass_ratio * online:
        log.error("presence.mass_offline_suppressed", silent=len(silent), online=online)
        return []
    gone: list[int] = []
    for device_id, window_s in silent[:max_changes]:
        devices.set_presence(session, device_id=device_id, online=False, reason=f"no heartbeat for {window_s} s")
        gone.append(device_id)
    if gone:
        log.info("presence.offline", devices=len(gone), pending=len(silent) - len(gone))
    return gone


def online_rate(session: Session, school_ids: set[int] | None, *, district_code: str | None = None,
                school_id: int | None = None, device_type: str | None = None) -> dict[str, Any]:
    """Online rate per school plus totals, the seeds' networking target (100 % of alarm points online)."""
    stmt = select(School.id, School.code, School.name, School.district_code)
    if school_ids is not None:
        stmt = stmt.where(School.id.in_(sorted(school_ids)))
    if district_code:
        stmt = stmt.where(School.district_code == district_code)
    if school_id is not None:
        stmt = stmt.where(School.id == school_id)
    schools = session.execute(stmt.order_by(School.code)).tuples().all()
    ids = {sid for sid, *_ in schools}
    counts = devices.online_counts(session, ids, device_type) if ids else {}
    items: list[dict[str, Any]] = []
    by_district: dict[str, dict[str, Any]] = {}
    total = online = 0
    for sid, code, name, district in schools:
        n, on = counts.get(sid, (0, 0))
        total += n
        online += on
        items.append({"school_id": sid, "school_code": code, "school_name": name, "district_code": district,
                      "devices": n, "online": on, "rate": round(on / n, 4) if n else None})
        bucket = by_district.setdefault(str(district), {"district_code": district, "devices": 0, "online": 0})
        bucket["devices"] += n
        bucket["online"] += on
    for bucket in by_district.values():
        bucket["rate"] = round(bucket["online"] / bucket["devices"], 4) if bucket["devices"] else None
    return {
        "devices": total, "online": online, "rate": round(online / total, 4) if total else None,
        "districts": sorted(by_district.values(), key=lambda d: d["district_code"]),
        "items": items, "total": len(items),
    }


def count_supervised(session: Session) -> int:
    """How many devices the sweep watches (for logs and the bench)."""
    return int(session.scalar(select(func.count()).select_from(Device).where(
        Device.protocol.in_(SUPERVISED_PROTOCOLS))) or 0)
