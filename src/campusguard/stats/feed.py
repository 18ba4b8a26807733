"""The metrics feed: turns bus events of every domain into rollup contributions, idempotently.

Each contribution carries a dedupe key (the record for "once per record" series such as an incident or
a hazard, else the event id), stored with its fact; a replayed or duplicated event adds nothing.
Field names are read leniently so that a domain's event schema can grow without breaking the feed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.bus.events import Event
from campusguard.stats import metrics as M
from campusguard.stats import rollup
from campusguard.stats.histogram import bucket_of
from campusguard.stats.models import StatsFact
from campusguard.stats.periods import local_day, local_hour

log = structlog.get_logger(__name__)

# Event types (or prefixes) the stats feed subscribes to.
FEED_PATTERNS = ("alarm.*", "hazard.*", "patrol.*", "rollcall.*", "drill.*", "face.*", "bulletin.*",
                 "video.*")


@dataclass(slots=True)
class Contribution:
    """One addition to a series, with the record it points to (for drill-down)."""

    series: str
    ref_type: str
    ref_id: str
    value: float = 1.0
    dims: tuple[str, ...] = ()
    key: str | None = None  # dedupe key; None = the event id
    label: str = ""
    at: datetime | None = None  # when it counts (default: the event's time)
    detail: dict[str, Any] = field(default_factory=dict)


def get(event: Event, *names: str) -> Any:
    """First present field among `names` (typed attribute or extra field)."""
    extra = event.model_extra or {}
    for name in names:
        value = getattr(event, name, None)
        if value is None:
            value = extra.get(name)
        if value is not None:
            return value
    return None


def _num(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _as_dt(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def _is_test(event: Event) -> bool:
    return get(event, "alarm_type") == "test" or get(event, "outcome") == "test"


# --- extractors ----------------------------------------------------------------------------------

Extractor = Callable[[Session, Event], list[Contribution]]


def _alarm_raised(session: Session, event: Event) -> list[Contribution]:
    incident = str(get(event, "incident_id", "alarm_id", "id"))
    at = _as_dt(get(event, "raised_at")) or event.occurred_at
    label = str(get(event, "title", "alarm_type") or "")
    if _is_test(event):
        return [Contribution(M.S_ALARM_TEST, "incident", incident, key=f"incident:{incident}", at=at,
                             label=label, detail={"device_id": get(event, "device_id")})]
    if get(event, "is_drill"):
        return []  # drill presses are counted by the drill domain's own events
    alarm_type = str(get(event, "alarm_type") or "unknown")
    return [Contribution(M.S_ALARM_RAISED, "incident", incident, key=f"incident:{incident}", at=at,
                         dims=(f"type:{alarm_type}", f"hour:{local_hour(at):02d}"), label=label,
                         detail={"alarm_type": alarm_type, "priority": get(event, "priority")})]


def _raised_fact(session: Session, incident: str) -> StatsFact | None:
    return session.scalars(select(StatsFact).where(
        StatsFact.series == M.S_ALARM_RAISED, StatsFact.ref_type == "incident",
        StatsFact.ref_id == incident)).first()


def _elapsed(series: str) -> Extractor:
    def extract(session: Session, event: Event) -> list[Contribution]:
        incident = str(get(event, "incident_id", "alarm_id"))
        raised = _raised_fact(session, incident)
        if raised is None:  # test/drill incidents, or raised before the feed existed
            return []
        at = _as_dt(get(event, "at")) or event.occurred_at
        seconds = max(0.0, (at - raised.occurred_at).total_seconds())
        return [Contribution(series, "incident", incident, value=seconds, key=f"incident:{incident}",
                             at=raised.occurred_at, label=raised.label,
                             detail={"seconds": round(seconds, 1)})]

    return extract


def _alarm_resolved(session: Session, event: Event) -> list[Contribution]:
    incident = str(get(event, "incident_id", "alarm_id"))
    outcome = str(get(event, "outcome") or "unknown")
    if outcome in ("test", "drill") or get(event, "is_drill"):
        return []
    raised = _raised_fact(session, incident)
    at = raised.occurred_at if raised else event.occurred_at
    label = raised.label if raised else ""
    out = [Contribution(M.S_ALARM_RESOLVED, "incident", incident, key=f"incident:{incident}", at=at,
                        dims=(f"outcome:{outcome}",), label=label, detail={"outcome": outcome})]
    if outcome in ("false_alarm", "false"):
        out.append(Contribution(M.S_ALARM_FALSE, "incident", incident, key=f"incident:{incident}", at=at,
                                label=label))
    return out


def _alarm_escalated(session: Session, event: Event) -> list[Contribution]:
    incident = str(get(event, "incident_id", "alarm_id"))
    if get(event, "is_drill"):
        return []
    return [Contribution(M.S_ALARM_ESCALATED, "incident", incident, key=f"incident:{incident}",
                         detail={"level": get(event, "level")})]


def _once(series: str, ref_type: str, *id_fields: str, label_fields: tuple[str, ...] = ("title", "name")
          ) -> Extractor:
    """A series counted once per record (hazard found, drill done, face hit ...)."""

    def extract(session: Session, event: Event) -> list[Contribution]:
        ref = get(event, *id_fields)
        ref_id = str(ref) if ref is not None else event.id
        return [Contribution(series, ref_type, ref_id, key=f"{ref_type}:{ref_id}",
                             label=str(get(event, *label_fields) or ""))]

    return extract


def _pair(done: str, planned: str, ref_type: str, *id_fields: str, hit: bool) -> Extractor:
    """Ratio feeds: a success counts towards both numerator and denominator, a miss only the latter.

    Batch events carrying explicit counts (`planned`/`done`, `asked`/`answered`) add those instead.
    """

    def extract(session: Session, event: Event) -> list[Contribution]:
        ref = get(event, *id_fields)
        ref_id = str(ref) if ref is not None else event.id
        total = get(event, "planned", "expected", "asked", "total")
        good = get(event, "done", "completed", "answered", "ok")
        if total is not None and good is not None:
            return [Contribution(planned, ref_type, ref_id, value=_num(total)),
                    Contribution(done, ref_type, ref_id, value=_num(good))]
        out = [Contribution(planned, ref_type, ref_id, key=f"{ref_type}:{ref_id}")]
        if hit:
            out.append(Contribution(done, ref_type, ref_id, key=f"{ref_type}:{ref_id}"))
        return out

    return extract


def _patrol_anomaly(session: Session, event: Event) -> list[Contribution]:
    """A missed checkpoint is a planned visit that was not done."""
    if get(event, "kind") != "missed_checkpoint":
        return []
    ref = str(get(event, "anomaly_id") or event.id)
    return [Contribution(M.S_PATROL_PLANNED, "patrol_anomaly", ref, key=f"patrol_anomaly:{ref}",
                         label="missed_checkpoint", detail={"checkpoint_id": get(event, "checkpoint_id")})]


def _rollcall_called(session: Session, event: Event) -> list[Contribution]:
    """Every guard called is one expected answer."""
    rollcall = str(get(event, "rollcall_id"))
    guards = get(event, "guard_user_ids") or []
    return [Contribution(M.S_ROLLCALL_ASKED, "rollcall", rollcall, value=float(len(guards)),
                         key=f"rollcall:{rollcall}", detail={"guards": len(guards)})] if guards else []


def _rollcall_answered(session: Session, event: Event) -> list[Contribution]:
    """An answer in time (status answered) counts; late or missing answers do not."""
    rollcall = str(get(event, "rollcall_id"))
    guard = str(get(event, "guard_user_id"))
    if get(event, "status") not in (None, "answered"):
        return []
    return [Contribution(M.S_ROLLCALL_ANSWERED, "rollcall", rollcall, key=f"rollcall:{rollcall}:{guard}",
                         detail={"guard_user_id": guard})]


def _bulletin_published(session: Session, event: Event) -> list[Contribution]:
    bulletin = str(get(event, "bulletin_id", "id"))
    per_school = get(event, "recipients_by_school")
    if isinstance(per_school, dict):
        return [Contribution(M.S_BULLETIN_DELIVERED, "bulletin", bulletin, value=_num(n),
                             key=f"bulletin:{bulletin}:{sid}", detail={"school_id": int(sid)})
                for sid, n in per_school.items()]
    recipients = get(event, "recipients", "recipient_count")
    if recipients is None:
        return []
    return [Contribution(M.S_BULLETIN_DELIVERED, "bulletin", bulletin, value=_num(recipients),
                         label=str(get(event, "title") or ""))]


def _bulletin_read(session: Session, event: Event) -> list[Contribution]:
    """One read per reader and school the bulletin was delivered to (the event lists the schools)."""
    bulletin = str(get(event, "bulletin_id"))
    reader = str(get(event, "user_id", "person_id", "reader_id") or event.id)
    schools = get(event, "school_ids")
    if isinstance(schools, list):
        return [Contribution(M.S_BULLETIN_READ, "bulletin", bulletin, key=f"read:{bulletin}:{reader}:{int(sid)}",
                             detail={"school_id": int(sid), "user_id": reader}) for sid in schools]
    return [Contribution(M.S_BULLETIN_READ, "bulletin", bulletin, key=f"read:{bulletin}:{reader}")]


def _video_diagnostic(session: Session, event: Event) -> list[Contribution]:
    kind = str(get(event, "kind", "problem", "diagnostic") or "unknown")
    camera = str(get(event, "camera_id", "device_id") or event.id)
    return [Contribution(M.S_VIDEO_DIAG, "camera", camera, dims=(f"kind:{kind}",), label=kind)]


EXTRACTORS: dict[str, Extractor] = {
    "alarm.raised": _alarm_raised,
    "alarm.acknowledged": _elapsed(M.S_ALARM_ACK),
    "alarm.on_scene": _elapsed(M.S_ALARM_ARRIVAL),
    "alarm.resolved": _alarm_resolved,
    "alarm.closed": _alarm_resolved,
    "alarm.escalated": _alarm_escalated,
    "drill.completed": _once(M.S_DRILL_DONE, "drill", "drill_id", "id"),
    "drill.recorded": _once(M.S_DRILL_DONE, "drill", "drill_id", "id"),
    "hazard.reported": _once(M.S_HAZARD_FOUND, "hazard", "hazard_id", "id"),
    "hazard.verified": _once(M.S_HAZARD_RECTIFIED, "hazard", "hazard_id", "id"),
    "hazard.rectified": _once(M.S_HAZARD_RECTIFIED, "hazard", "hazard_id", "id"),
    "hazard.overdue": _once(M.S_HAZARD_OVERDUE, "hazard", "hazard_id", "id"),
    "patrol.checkin": _pair(M.S_PATROL_DONE, M.S_PATROL_PLANNED, "patrol_checkin", "checkin_id", hit=True),
    "patrol.anomaly": _patrol_anomaly,
    "patrol.round_closed": _pair(M.S_PATROL_DONE, M.S_PATROL_PLANNED, "patrol_round", "round_id", hit=False),
    "rollcall.called": _rollcall_called,
    "rollcall.answered": _rollcall_answered,
    "face.alert": _once(M.S_FACE_ALERT, "face_alert", "alert_id", label_fields=("kind", "category")),
    "face.hit": _once(M.S_FACE_ALERT, "face_alert", "alert_id", label_fields=("category", "kind")),
    "bulletin.published": _bulletin_published,
    "bulletin.read": _bulletin_read,
    "video.diagnostic": _video_diagnostic,
}


def handled_types() -> list[str]:
    """Event types that feed at least one series."""
    return sorted(EXTRACTORS)


def ingest(session: Session, event: Event) -> int:
    """Apply an event's contributions once; returns how many were new (0 on replay)."""
    extractor = EXTRACTORS.get(event.type)
    if extractor is None:
        return 0
    try:
        contributions = extractor(session, event)
    except (TypeError, ValueError) as exc:
        log.warning("stats.bad_event", type=event.type, event_id=event.id, error=str(exc))
        return 0
    applied = 0
    for c in contributions:
        school_id = c.detail.get("school_id") if "school_id" in c.detail else event.school_id
        if school_id is None:
            continue
        key = (c.key or event.id)[:64]
        exists = session.scalar(select(StatsFact.id).where(StatsFact.event_id == key,
                                                           StatsFact.series == c.series))
        if exists is not None:
            continue
        at = c.at or event.occurred_at
        day = local_day(at)
        session.add(StatsFact(event_id=key, series=c.series, school_id=int(school_id), day=day,
                              occurred_at=at, ref_type=c.ref_type, ref_id=c.ref_id[:64], value=c.value,
                              label=c.label[:160], detail=c.detail))
        session.flush()
        rollup.add(session, school_id=int(school_id), day=day, series=c.series, total=c.value)
        for dim in c.dims:
            rollup.add(session, school_id=int(school_id), day=day, series=c.series, dim=dim, total=c.value)
        if c.series in M.HISTOGRAM_SERIES:
            rollup.add(session, school_id=int(school_id), day=day, series=c.series,
                       dim=f"b:{bucket_of(c.value)}", total=c.value)
        applied += 1
    if applied:
        log.debug("stats.ingested", type=event.type, event_id=event.id, applied=applied)
    return applied
