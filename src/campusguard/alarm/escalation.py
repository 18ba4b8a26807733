"""Escalation of unacknowledged incidents, one durable job per chain position (survives restarts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.alarm import notify
from campusguard.alarm.chain import DEFAULT_CHAIN, Position, advance, parse_steps
from campusguard.alarm.models import Escalation, EscalationChain, Incident
from campusguard.core import jobs
from campusguard.core.db import utcnow

log = structlog.get_logger(__name__)

JOB_KIND = "alarm.escalate"


def _key(incident_id: int, pos: Position) -> str:
    return f"{JOB_KIND}:{incident_id}:{pos.round}:{pos.index}"


def chain_for(
    session: Session, district_code: str | None
) -> tuple[EscalationChain | None, list[dict[str, Any]]]:
    """The district's chain, else the default row, else the built-in default."""
    rows = session.scalars(select(EscalationChain).where(EscalationChain.enabled.is_(True))).all()
    by_district = {r.district_code: r for r in rows}
    chosen = by_district.get(district_code) if district_code else None
    chosen = chosen or by_district.get(None)
    if chosen is not None:
        return chosen, list(chosen.steps)
    return None, list(DEFAULT_CHAIN)


def start(session: Session, incident: Incident) -> Escalation:
    """Begin the chain of a new incident; the first step runs as soon as the transaction commits."""
    chain, steps = chain_for(session, incident.district_code)
    esc = Escalation(
        incident_id=incident.id,
        chain_id=chain.id if chain else None,
        steps=steps,
        status="running",
        position=0,
        round=0,
        next_at=utcnow(),
    )
    session.add(esc)
    session.flush()
    jobs.schedule(
        session,
        kind=JOB_KIND,
        key=_key(incident.id, Position()),
        payload={"incident_id": incident.id, "index": 0, "round": 0},
        max_attempts=10,
    )
    return esc


def stop(session: Session, incident: Incident, *, reason: str) -> bool:
    """Acknowledgement (or resolution) stops the chain: pending steps are cancelled."""
    esc = session.scalars(select(Escalation).where(Escalation.incident_id == incident.id)).first()
    if esc is None or esc.status != "running":
        return False
    esc.status, esc.stopped_at, esc.next_at = "stopped", utcnow(), None
    jobs.cancel(session, key_prefix=f"{JOB_KIND}:{incident.id}:")
    log.info("alarm.escalation_stopped", incident_id=incident.id, reason=reason)
    return True


@jobs.job(JOB_KIND)
def run_step(session: Session, payload: dict[str, Any]) -> None:
    """Execute the chain from the stored position up to the next wait, then schedule the rest."""
    incident_id = int(payload["incident_id"])
    pos = Position(int(payload.get("index", 0)), int(payload.get("round", 0)))
    esc = session.scalars(select(Escalation).where(Escalation.incident_id == incident_id)).first()
    incident = session.get(Incident, incident_id)
    if esc is None or incident is None or esc.status != "running":
        return
    if incident.status != "raised":
        esc.status, esc.stopped_at, esc.next_at = "stopped", utcnow(), None
        return
    if (esc.position, esc.round) != (pos.index, pos.round):
        log.info(
            "alarm.escalation_stale_job", incident_id=incident_id, job=pos, stored=(esc.position, esc.round)
        )
        return
    result = advance(parse_steps(esc.steps), pos)
    for step in result.notify:
        if incident.is_drill and step.target == "city_command":
            continue  # drills exercise the school and district, never wake the city command
        incident.escalation_level += 1
        notify.notify_audience(
            session,
            incident,
            target=step.target,
            channels=list(step.channels),
            level=incident.escalation_level,
        )
    if result.next is None:
        esc.status, esc.next_at = "finished", None
        return
    run_at = utcnow() + timedelta(seconds=result.wait_s or 0)
    esc.position, esc.round, esc.next_at = result.next.index, result.next.round, run_at
    jobs.schedule(
        session,
        kind=JOB_KIND,
        key=_key(incident_id, result.next),
        run_at=run_at,
        payload={"incident_id": incident_id, "index": result.next.index, "round": result.next.round},
        max_attempts=10,
    )


def list_chains(session: Session) -> list[EscalationChain]:
    return list(session.scalars(select(EscalationChain).order_by(EscalationChain.id)).all())


def upsert_chain(
    session: Session,
    *,
    district_code: str | None,
    name: str,
    steps: list[dict[str, Any]],
    enabled: bool = True,
) -> EscalationChain:
    """Create or replace the chain of a district (None: the default chain)."""
    parsed = parse_steps(steps)
    clean = [s.model_dump() for s in parsed]
    row = session.scalars(
        select(EscalationChain).where(
            EscalationChain.district_code.is_(None)
            if district_code is None
            else EscalationChain.district_code == district_code
        )
    ).first()
    if row is None:
        row = EscalationChain(district_code=district_code, name=name, steps=clean, enabled=enabled)
        session.add(row)
    else:
        row.name, row.steps, row.enabled = name, clean, enabled
    session.flush()
    return row


def seed_default_chain(session: Session) -> EscalationChain:
    """The default chain as editable data (demo seed)."""
    existing = session.scalars(select(EscalationChain).where(EscalationChain.district_code.is_(None))).first()
    if existing is not None:
        return existing
    return upsert_chain(session, district_code=None, name="默认升级链", steps=list(DEFAULT_CHAIN))
