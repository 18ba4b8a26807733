"""Alarm intake: device messages from MQTT, DC-09 and HTTP become committed incidents before any ACK.

Every path resolves the device, refuses strangers (unknown device, wrong school, bad key, stale or
future timestamp) as counted, audit-logged security events, feeds presence, and hands alarms to
`alarm.service.ingest_device_event` (dedup on device+seq, incident, `alarm.raised` via the outbox).
The transport acknowledges (PUBACK / DC-09 ACK / HTTP 202) only after that transaction committed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
import structlog
from prometheus_client import Counter, Histogram
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from campusguard.adapters.dc09 import AccountInfo, Dc09Message, Dc09Receiver, Rejection, TimestampWindow
from campusguard.adapters.mqtt import DeviceEvent, DeviceEventPayload, MqttIntake, MqttRejection
from campusguard.adapters.mqtt.payload import TOPIC_FILTER
from campusguard.alarm import batch, service
from campusguard.alarm import presence as presence_mod
from campusguard.config import Settings
from campusguard.core import audit
from campusguard.core.db import Database, WritePriority, utcnow
from campusguard.device.models import Device
from campusguard.org.models import School

log = structlog.get_logger(__name__)

REFUSED = Counter("campusguard_intake_rejected_total", "Device messages refused by the alarm intake",
                  ["source", "reason"])
INGESTED = Counter("campusguard_intake_events_total", "Device events accepted by the alarm intake",
                   ["source", "type"])
HEARTBEATS_MQTT = INGESTED.labels(source="mqtt", type="heartbeat")  # hot path: the label lookup once
COMMIT_SECONDS = Histogram("campusguard_intake_commit_seconds", "Time to commit a batch of device alarms",
                           buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5))

INCIDENT_TYPES = ("panic", "duress", "intrusion", "fire", "medical", "tamper", "test")


class IntakeSettings(BaseSettings):
    """Intake tuning (CG_INTAKE_*); broker URL and DC-09 port come from the main settings."""

    model_config = SettingsConfigDict(env_prefix="CG_INTAKE_", extra="ignore")

    enabled: bool = True
    mqtt_client_id: str = "campusguard-intake"
    mqtt_shared_group: str | None = None  # several nodes: `$share/<group>/...` with one client id each
    dc09_host: str = "0.0.0.0"
    dc09_past_s: float = 40.0
    dc09_future_s: float = 20.0
    max_age_s: float = 6 * 3600.0  # older device timestamps are refused as stale (replays)
    max_future_s: float = 300.0
    offline_factor: float = presence_mod.DEFAULT_FACTOR
    flush_s: float = 2.0
    flush_batch: int = 200  # devices per presence transaction: an alarm commit never waits behind a long one
    sweep_s: float = 10.0
    directory_ttl_s: float = 60.0
    dedup_window_s: float = service.DEDUP_WINDOW.total_seconds()  # same device+seq closer: one alarm
    context_ttl_s: float = 5.0  # school/area/plan/cameras of an alarm, read once per burst
    audit_every_s: float = 60.0  # at most one audit row per (source, reason, origin) per period
    max_lag_s: float = 30.0  # MQTT backlog beyond which this node does not judge devices silent


@dataclass(frozen=True, slots=True)
class DeviceRef:
    """What the intake needs of a device, cached in memory."""

    id: int
    code: str
    school_id: int
    school_code: str
    district_code: str | None
    protocol: str
    dc09_account: str | None
    key: bytes | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A message refused as a security event."""

    source: str
    reason: str
    origin: str  # device code, account, topic or peer
    detail: str = ""
    school_id: int | None = None


@dataclass(slots=True)
class PendingAlarm:
    """An alarm waiting for its commit."""

    device: DeviceRef
    event_type: str
    seq: int | None
    occurred_at: datetime
    source: str
    detail: dict[str, Any] = field(default_factory=dict)


def parse_key(secret: str | None) -> bytes | None:
    """A DC-09 AES key is stored hex-encoded in the device secret (32/48/64 hex digits)."""
    if not secret:
        return None
    try:
        key = bytes.fromhex(secret.strip())
    except ValueError:
        return None
    return key if len(key) in (16, 24, 32) else None


class DeviceDirectory:
    """Device lookups by code and by DC-09 account; loaded once, refreshed on miss (misses cached briefly)."""

    def __init__(self, db: Database, ttl_s: float = 60.0, miss_ttl_s: float = 5.0) -> None:
        self._db = db
        self._ttl_s = ttl_s
        self._miss_ttl_s = miss_ttl_s
        self._lock = threading.Lock()
        self._by_code: dict[str, tuple[DeviceRef, float]] = {}
        self._by_account: dict[str, tuple[DeviceRef, float]] = {}
        self._misses: dict[str, float] = {}

    def preload(self) -> int:
        """Load every device that reports through the intake (one query, at startup)."""
        with self._db.session() as session:
            rows = self._query(session, Device.protocol.in_(presence_mod.SUPERVISED_PROTOCOLS))
        for ref in rows:
            self._remember(ref)
        return len(rows)

    def by_code(self, code: str) -> DeviceRef | None:
        return self._get(self._by_code, code, Device.code == code)

    def by_account(self, account: str) -> DeviceRef | None:
        account = account.upper()
        cached = self._fresh(self._by_account, account)
        if cached is not None:
            return cached
        if self._missed(f"acct:{account}"):
            return None
        with self._db.session() as session:
            rows = self._query(session, Device.protocol == "dc09")
        found = None
        for ref in rows:
            self._remember(ref)
            if ref.dc09_account == account:
                found = ref
        if found is None:
            self._miss(f"acct:{account}")
        return found

    def _get(self, index: dict[str, tuple[DeviceRef, float]], key: str, where: Any) -> DeviceRef | None:
        cached = self._fresh(index, key)
        if cached is not None:
            return cached
        if self._missed(f"code:{key}"):
            return None
        with self._db.session() as session:
            rows = self._query(session, where)
        if not rows:
            self._miss(f"code:{key}")
            return None
        self._remember(rows[0])
        return rows[0]

    def _fresh(self, index: dict[str, tuple[DeviceRef, float]], key: str) -> DeviceRef | None:
        with self._lock:
            entry = index.get(key)
        if entry is not None and time.monotonic() - entry[1] < self._ttl_s:
            return entry[0]
        return None

    def _missed(self, key: str) -> bool:
        with self._lock:
            at = self._misses.get(key)
        return at is not None and time.monotonic() - at < self._miss_ttl_s

    def _miss(self, key: str) -> None:
        with self._lock:
            if len(self._misses) > 100_000:
                self._misses.clear()
            self._misses[key] = time.monotonic()

    def _remember(self, ref: DeviceRef) -> None:
        now = time.monotonic()
        with self._lock:
            self._by_code[ref.code] = (ref, now)
            if ref.dc09_account:
                self._by_account[ref.dc09_account] = (ref, now)

    @staticmethod
    def _query(session: Session, where: Any) -> list[DeviceRef]:
        stmt = select(Device, School.code, School.district_code).join(School, School.id == Device.school_id)
        rows = session.execute(stmt.where(where)).tuples().all()
        refs = []
        for device, school_code, district in rows:
            account = (device.settings or {}).get("dc09_account")
            refs.append(DeviceRef(
                id=device.id, code=device.code, school_id=device.school_id, school_code=school_code,
                district_code=district, protocol=device.protocol,
                dc09_account=str(account).upper() if account else None,
                key=parse_key(device.secret) if device.protocol == "dc09" else None,
            ))
        return refs


class AuditThrottle:
    """One audit row per (source, reason, origin) and period, so a flood cannot flood the audit log."""

    def __init__(self, every_s: float) -> None:
        self._every_s = every_s
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str, str], float] = {}
        self._suppressed: dict[tuple[str, str, str], int] = {}

    def admit(self, refusal: Refusal) -> int | None:
        """None = skip this one; else the number of identical refusals suppressed since the last row."""
        key = (refusal.source, refusal.reason, refusal.origin[:64])
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._every_s:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return None
            if len(self._last) > 50_000:
                self._last.clear()
                self._suppressed.clear()
            self._last[key] = now
            return self._suppressed.pop(key, 0)


def check_time(occurred_at: datetime, now: datetime, cfg: IntakeSettings) -> str | None:
    """The reason a device timestamp is refused, or None."""
    skew = (occurred_at - now).total_seconds()
    if skew > cfg.max_future_s:
        return "future_timestamp"
    if -skew > cfg.max_age_s:
        return "stale_timestamp"
    return None


def dc09_seq(msg: Dc09Message, index: int, now: datetime) -> int:
    """Dedup key for a DC-09 event: the day of the message, its 4-digit sequence and the event index.

    DC-09 sequence numbers wrap at 9999, so the day keeps a wrapped number from matching an old alarm,
    while a retransmission (same sequence, same day) still dedups.
    """
    day = int((msg.timestamp or now).timestamp() // 86400)
    return day * 1_000_000 + msg.seq * 100 + index


class CommitQueue:
    """Serialises alarm commits and groups whatever is waiting into one transaction (group commit).

    Idle: an alarm is committed alone at once. Burst: the alarms queued behind a running commit go
    together in the next one, so throughput follows the load instead of one lock round per alarm.
    """

    def __init__(self, commit: Any, max_group: int = 100, priority: WritePriority | None = None) -> None:
        self._commit = commit
        self._max_group = max_group
        self._priority = priority or WritePriority()
        self._queue: asyncio.Queue[tuple[list[PendingAlarm], asyncio.Future[list[Any]]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        # its own thread: never queued behind request or handler threads in the shared pool
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="alarm-commit")

    async def _in_thread(self, alarms: list[PendingAlarm]) -> list[Any]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._commit, alarms)

    async def submit(self, alarms: list[PendingAlarm]) -> list[Any]:
        """Resolve once the alarms are committed (or raise what the commit raised).

        A large submission is cut into groups so its first alarms reach the console while later
        ones are still being committed.
        """
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="intake-commits")
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[list[Any]]] = []
        with self._priority.urgent():  # handlers and jobs hold back until these are committed
            for start in range(0, len(alarms), self._max_group):
                future: asyncio.Future[list[Any]] = loop.create_future()
                await self._queue.put((alarms[start:start + self._max_group], future))
                futures.append(future)
            results: list[Any] = []
            for chunk in await asyncio.gather(*futures):
                results.extend(chunk)
        return results

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        self._thread.shutdown(wait=True)

    async def _run(self) -> None:
        while True:
            group = [await self._queue.get()]
            size = len(group[0][0])
            while not self._queue.empty() and size < self._max_group:
                group.append(self._queue.get_nowait())
                size += len(group[-1][0])
            waiting = [(alarms, future) for alarms, future in group if not future.done()]
            try:
                results = await self._in_thread([a for al, _ in waiting for a in al])
            except OperationalError as exc:  # database unavailable: every submitter retries
                for _, future in waiting:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except Exception:
                if len(waiting) > 1:  # isolate the submission that fails from the others
                    log.exception("intake.group_commit_failed_retrying_singly", submissions=len(waiting))
                    for alarms, future in waiting:
                        try:
                            result = await self._in_thread(alarms)
                        except Exception as exc:
                            if not future.done():
                                future.set_exception(exc)
                        else:
                            if not future.done():
                                future.set_result(result)
                    continue
                _, future = waiting[0]
                if not future.done():
                    future.set_exception(RuntimeError("alarm commit failed (see log)"))
                log.exception("intake.commit_failed")
                continue
            offset = 0
            for alarms, future in waiting:
                if not future.done():
                    future.set_result(results[offset:offset + len(alarms)])
                offset += len(alarms)


class Intake:
    """The platform side of every device transport."""

    def __init__(self, db: Database, cfg: IntakeSettings | None = None,
                 table: presence_mod.PresenceTable | None = None) -> None:
        self.db = db
        self.cfg = cfg or IntakeSettings()
        self.presence = table or presence_mod.PresenceTable()
        self.directory = DeviceDirectory(db, self.cfg.directory_ttl_s)
        self.throttle = AuditThrottle(self.cfg.audit_every_s)
        self.commits = CommitQueue(self.commit, priority=db.priority)
        self.contexts = service.ContextCache(self.cfg.context_ttl_s)
        self._dedup_window = timedelta(seconds=self.cfg.dedup_window_s)
        self.last_event_at: float | None = None  # monotonic time this node last handled a device message
        self.lag_s = 0.0  # device clock -> handling delay of the latest MQTT event (backlog detector)

    # -- shared ------------------------------------------------------------------------------

    async def _lookup_code(self, code: str) -> DeviceRef | None:
        ref = self.directory._fresh(self.directory._by_code, code)  # noqa: SLF001 - hot path, no thread hop
        if ref is not None:
            return ref
        return await anyio.to_thread.run_sync(self.directory.by_code, code)

    def commit(self, alarms: Sequence[PendingAlarm], refusals: Sequence[Refusal] = ()) -> list[Any]:
        """Commit alarms and security events in one transaction (nothing is acknowledged before)."""
        started = time.perf_counter()
        with self.db.session() as session:
            session.connection()  # BEGIN (IMMEDIATE on SQLite): waits for any writer still in its transaction
            locked = time.perf_counter()
            results = batch.ingest_many(session, [
                batch.Press(a.device.id, a.event_type, a.seq, a.occurred_at, a.source, a.detail) for a in alarms
            ], contexts=self.contexts, dedup_window=self._dedup_window)
            self._audit(session, refusals)
            built = time.perf_counter()
        done = time.perf_counter()
        COMMIT_SECONDS.observe(done - started)
        log.info("intake.group_commit", alarms=len(alarms), lock_ms=round((locked - started) * 1000, 1),
                 build_ms=round((built - locked) * 1000, 1),
                 commit_ms=round((done - built) * 1000, 1))
        for alarm in alarms:
            INGESTED.labels(source=alarm.source, type=alarm.event_type).inc()
        return results

    def warm_up(self) -> bool:
        """Raise one alarm in a transaction that is rolled back, so the first real burst finds every
        statement compiled and its school's context cached (measured: the first alarm after start took
        65 ms instead of 3)."""
        with self.directory._lock:  # noqa: SLF001
            refs = [ref for ref, _ in self.directory._by_code.values()]  # noqa: SLF001
        if not refs:
            return False
        ref = refs[0]
        session = self.db.sessions()  # no "db" in session.info: nothing of this reaches the bus or the jobs
        try:
            batch.ingest_many(session, [batch.Press(ref.id, "panic", -1, utcnow(), "warmup", {})],
                              contexts=self.contexts, dedup_window=self._dedup_window, quiet=True)
        finally:
            session.rollback()
            session.close()
        return True

    def refuse(self, refusal: Refusal) -> bool:
        """Count and log; returns True when an audit row should be written (throttled)."""
        REFUSED.labels(source=refusal.source, reason=refusal.reason).inc()
        log.warning("intake.refused", security_event=True, source=refusal.source, reason=refusal.reason,
                    origin=refusal.origin, detail=refusal.detail)
        return True

    def _audit(self, session: Session, refusals: Sequence[Refusal]) -> None:
        for refusal in refusals:
            suppressed = self.throttle.admit(refusal)
            if suppressed is None:
                continue
            audit.record(session, principal=None, action="security.device_refused", target_type="device",
                         target_id=refusal.origin[:64], school_id=refusal.school_id,
                         detail={"source": refusal.source, "reason": refusal.reason,
                                 "detail": refusal.detail[:300], "suppressed": suppressed})

    def audit_refusals(self, refusals: Sequence[Refusal]) -> None:
        """Write security events in their own transaction (used where nothing else commits)."""
        if not refusals:
            return
        try:
            with self.db.session() as session:
                self._audit(session, refusals)
        except Exception:
            log.exception("intake.audit_failed", refusals=len(refusals))

    # -- MQTT --------------------------------------------------------------------------------

    async def on_mqtt(self, events: Sequence[DeviceEvent]) -> None:
        """Batch handler of the MQTT intake: returns only once alarms and refusals are committed."""
        now = utcnow()
        lag_ms = round((now - min(e.payload.ts for e in events)).total_seconds() * 1000, 1) if events else 0
        alarms: list[PendingAlarm] = []
        refusals: list[Refusal] = []
        for event in events:
            ref = await self._lookup_code(event.device_code)
            origin = f"{event.school_code}/{event.device_code}"
            if ref is None:
                refusals.append(Refusal("mqtt", "unknown_device", origin))
                continue
            if ref.school_code != event.school_code:
                refusals.append(Refusal("mqtt", "school_mismatch", origin, school_id=ref.school_id))
                continue
            self.presence.seen(ref.id, now)
            payload = event.payload
            if payload.type == "heartbeat":
                HEARTBEATS_MQTT.inc()
                continue
            reason = check_time(payload.ts, now, self.cfg)
            if reason is not None:
                refusals.append(Refusal("mqtt", reason, origin, payload.ts.isoformat(), ref.school_id))
                continue
            alarms.append(PendingAlarm(ref, payload.type, payload.seq, payload.ts, "mqtt",
                                       _telemetry(payload)))
        if events:
            self.last_event_at = time.monotonic()
            lags = sorted((now - e.payload.ts).total_seconds() for e in events)
            self.lag_s = max(0.0, lags[len(lags) // 2])  # median: a few wrong device clocks do not count
        for refusal in refusals:
            self.refuse(refusal)
        if refusals:
            await anyio.to_thread.run_sync(self.audit_refusals, refusals)
        if alarms:
            started = time.perf_counter()
            await self.commits.submit(alarms)
            log.info("intake.committed", source="mqtt", alarms=len(alarms), device_lag_ms=lag_ms,
                     wait_commit_ms=round((time.perf_counter() - started) * 1000, 1))

    def on_heartbeats(self, beats: Sequence[tuple[str, str, datetime]]) -> list[bool]:
        """Fast path for well-formed MQTT heartbeats: presence in memory, no pydantic, no thread hop.

        Only devices already in the directory with the right school are taken; anything else is left to
        `on_mqtt` (lookup on miss, refusal and audit exactly as before).
        """
        now = utcnow()
        fresh = self.directory._fresh  # noqa: SLF001 - hot path, memory only
        by_code = self.directory._by_code  # noqa: SLF001
        seen = self.presence.seen
        taken: list[bool] = []
        lags: list[float] = []
        for school_code, device_code, ts in beats:
            ref = fresh(by_code, device_code)
            if ref is None or ref.school_code != school_code:
                taken.append(False)
                continue
            seen(ref.id, now)
            taken.append(True)
            lags.append((now - ts).total_seconds())
        if lags:
            HEARTBEATS_MQTT.inc(len(lags))
            self.last_event_at = time.monotonic()
            lags.sort()
            self.lag_s = max(0.0, lags[len(lags) // 2])  # median: a few wrong device clocks do not count
        return taken

    async def on_mqtt_reject(self, rejection: MqttRejection) -> None:
        """Malformed MQTT messages (bad topic, JSON or schema): security event."""
        refusal = Refusal("mqtt", rejection.reason, rejection.topic[:128], rejection.detail)
        REFUSED.labels(source="mqtt", reason=rejection.reason).inc()
        await anyio.to_thread.run_sync(self.audit_refusals, [refusal])

    # -- DC-09 -------------------------------------------------------------------------------

    async def dc09_account(self, account: str) -> AccountInfo | None:
        ref = self.directory._fresh(self.directory._by_account, account.upper())  # noqa: SLF001
        if ref is None:
            ref = await anyio.to_thread.run_sync(self.directory.by_account, account)
        if ref is None:
            return None
        return AccountInfo(key=ref.key)

    async def on_dc09(self, msg: Dc09Message) -> bool:
        """Commit the message's alarms; restores and trouble reports are acknowledged and logged."""
        ref = self.directory._fresh(self.directory._by_account, msg.account)  # noqa: SLF001
        if ref is None:
            ref = await anyio.to_thread.run_sync(self.directory.by_account, msg.account)
        if ref is None:
            return False
        now = utcnow()
        self.presence.seen(ref.id, now)
        occurred = msg.timestamp or now
        alarms = []
        for index, event in enumerate(msg.events):
            if event.event_type in INCIDENT_TYPES and not event.restore and not event.status:
                detail = {"protocol": event.protocol, "code": event.code, "zone": event.zone,
                          "area": event.area, "user": event.user, "account": msg.account,
                          "dc09_seq": msg.header.seq}
                alarms.append(PendingAlarm(ref, event.event_type, dc09_seq(msg, index, now), occurred, "dc09",
                                           {k: v for k, v in detail.items() if v is not None}))
            elif event.event_type != "heartbeat":
                log.info("dc09.status_event", device=ref.code, code=event.code, type=event.event_type,
                         restore=event.restore)
        if alarms:
            await self.commits.submit(alarms)
        return True

    async def on_dc09_reject(self, rejection: Rejection) -> None:
        refusal = Refusal("dc09", rejection.reason, rejection.account or rejection.peer, rejection.detail)
        REFUSED.labels(source="dc09", reason=rejection.reason).inc()
        await anyio.to_thread.run_sync(self.audit_refusals, [refusal])

    # -- HTTP --------------------------------------------------------------------------------

    def http_event(self, session: Session, *, device_id: int, payload: DeviceEventPayload) -> Any | None:
        """Request-path ingest (the request boundary commits before the 202 leaves)."""
        now = utcnow()
        self.presence.seen(device_id, now)
        if payload.type == "heartbeat":
            INGESTED.labels(source="http", type="heartbeat").inc()
            return None
        INGESTED.labels(source="http", type=payload.type).inc()
        return service.ingest_device_event(session, device_id=device_id, event_type=payload.type,
                                           seq=payload.seq, occurred_at=payload.ts, source="http",
                                           detail=_telemetry(payload), contexts=self.contexts,
                                           dedup_window=self._dedup_window)

    # -- presence ----------------------------------------------------------------------------

    def flush_presence(self) -> tuple[int, int]:
        """Write what this node heard, in short transactions (SQLite: alarm commits queue behind each one)."""
        total = back = 0
        size = max(1, self.cfg.flush_batch)
        for _ in range(len(self.presence) // size + 1):  # what arrives meanwhile waits for the next tick
            self.db.priority.wait_turn()
            started = time.perf_counter()
            with self.db.session() as session:
                written, online = presence_mod.flush(session, self.presence, limit=size)
            total, back = total + written, back + online
            elapsed = time.perf_counter() - started
            if elapsed > 1.0:
                log.warning("presence.flush_slow", devices=written, seconds=round(elapsed, 2))
        return total, back


def _telemetry(payload: DeviceEventPayload) -> dict[str, Any]:
    return {k: v for k, v in {"battery": payload.battery, "rssi": payload.rssi}.items() if v is not None}


async def _flush_loop(intake: Intake) -> None:
    """Per node: write what this node heard every few seconds."""
    while True:
        await asyncio.sleep(intake.cfg.flush_s)
        try:
            await anyio.to_thread.run_sync(intake.flush_presence)
        except Exception:
            log.exception("presence.flush_failed")


@contextlib.asynccontextmanager
async def start_intake(app: Any, settings: Settings) -> AsyncIterator[Intake | None]:
    """Run the MQTT client, the DC-09 receiver and presence supervision for the app's lifetime."""
    cfg = IntakeSettings()
    if not cfg.enabled:
        yield None
        return
    intake = Intake(app.state.db, cfg)
    app.state.intake = intake
    try:
        loaded = await anyio.to_thread.run_sync(intake.directory.preload)
        log.info("intake.directory_loaded", devices=loaded)
    except Exception:
        log.exception("intake.directory_preload_failed")
    try:
        await anyio.to_thread.run_sync(intake.warm_up)
    except Exception:
        log.exception("intake.warm_up_failed")
    mqtt: MqttIntake | None = None

    def sweep_job(session: Session) -> None:
        """Offline marking only while this node keeps up with the broker (else silence is ours)."""
        if mqtt is not None and (not mqtt.connected.is_set() or intake.lag_s > cfg.max_lag_s):
            log.warning("presence.sweep_skipped", connected=mqtt.connected.is_set(), lag_s=round(intake.lag_s, 1))
            return
        presence_mod.sweep(session, factor=cfg.offline_factor)

    runner = getattr(app.state, "runner", None)
    if runner is not None:
        runner.every("alarm.presence_sweep", cfg.sweep_s, sweep_job)
    tasks = [asyncio.create_task(_flush_loop(intake), name="presence-flush")]
    receiver: Dc09Receiver | None = None
    try:
        if settings.mqtt_url:
            group = cfg.mqtt_shared_group
            topic = f"$share/{group}/{TOPIC_FILTER}" if group else TOPIC_FILTER
            mqtt = MqttIntake(settings.mqtt_url, intake.on_mqtt, client_id=cfg.mqtt_client_id, topic=topic,
                              on_reject=intake.on_mqtt_reject, on_heartbeats=intake.on_heartbeats)
            await mqtt.start()
            app.state.mqtt_intake = mqtt
        if settings.dc09_port is not None:
            receiver = Dc09Receiver(intake.on_dc09, intake.dc09_account, on_reject=intake.on_dc09_reject,
                                    window=TimestampWindow(cfg.dc09_past_s, cfg.dc09_future_s))
            await receiver.start(cfg.dc09_host, settings.dc09_port)
            app.state.dc09_receiver = receiver
        yield intake
    finally:
        if mqtt is not None:
            await mqtt.stop()
        if receiver is not None:
            await receiver.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await intake.commits.close()
        with contextlib.suppress(Exception):
            await anyio.to_thread.run_sync(intake.flush_presence)


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The domain runtime hook app.py looks for (`campusguard.<domain>.runtime.lifespan`)."""
    async with start_intake(app, app.state.settings):
        yield

