"""Assessment runs: pick each school's scheme, freeze inputs of closed periods, score, rank, explain.

Inputs come only from `stats.service` (the metrics feed). For a closed period the first run stores an
input snapshot and every later run of that period reuses it, so results are reproducible byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.assessment.models import Endpoint, InputSnapshot, Result, Run, Scheme
from campusguard.assessment.scheme import SchemeDefinition, default_scheme
from campusguard.assessment.scoring import competition_ranks, group_subtotals, score_school
from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, NotFound
from campusguard.core.scope import allowed_school_ids
from campusguard.stats import service as stats
from campusguard.stats.periods import Period, PeriodError, PeriodKind, parse_period
from campusguard.stats.scope import all_schools

log = structlog.get_logger(__name__)

DEFAULT_CODE = "city-default"
RUN_KINDS = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


def _digest(data: Any) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


# --- schemes -------------------------------------------------------------------------------------


def ensure_default_scheme(session: Session) -> Scheme:
    """The city's default scheme (v1) exists before the first run."""
    row = session.scalars(select(Scheme).where(Scheme.active.is_(True)).order_by(Scheme.id)).first()
    if row is not None:
        return row
    row = Scheme(
        code=DEFAULT_CODE,
        version=1,
        name="全市校园安保考核（默认）",
        definition=default_scheme().model_dump(mode="json"),
        active=True,
    )
    session.add(row)
    session.flush()
    return row


def create_scheme(
    session: Session, principal: Principal, *, code: str, name: str, definition: SchemeDefinition
) -> Scheme:
    """Add a new version of a scheme; earlier versions stay for old runs but are no longer active."""
    latest = session.scalar(select(func.max(Scheme.version)).where(Scheme.code == code)) or 0
    for old in session.scalars(select(Scheme).where(Scheme.code == code, Scheme.active.is_(True))).all():
        old.active = False
    row = Scheme(
        code=code,
        version=latest + 1,
        name=name,
        definition=definition.model_dump(mode="json"),
        active=True,
        created_by=principal.label,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="assessment.scheme.create",
        target_type="scheme",
        target_id=row.id,
        detail={"code": code, "version": row.version},
    )
    return row


def list_schemes(session: Session) -> list[Scheme]:
    ensure_default_scheme(session)
    return list(session.scalars(select(Scheme).order_by(Scheme.code, Scheme.version.desc())).all())


def _active_schemes(session: Session) -> list[tuple[Scheme, SchemeDefinition]]:
    ensure_default_scheme(session)
    rows = session.scalars(select(Scheme).where(Scheme.active.is_(True)).order_by(Scheme.id)).all()
    return [(r, SchemeDefinition.model_validate(r.definition)) for r in rows]


def scheme_for(
    schemes: list[tuple[Scheme, SchemeDefinition]], school_type: str
) -> tuple[Scheme, SchemeDefinition] | None:
    """A scheme naming the school type wins over a general one (empty school_types)."""
    specific = [s for s in schemes if school_type in s[1].school_types]
    general = [s for s in schemes if not s[1].school_types]
    picked = specific or general
    return picked[0] if picked else None


# --- runs ----------------------------------------------------------------------------------------


def parse_run_period(text: str) -> Period:
    """A run period: an ISO week, month, quarter or year."""
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise BadRequest(str(exc), code="bad_period") from exc
    if period.kind not in RUN_KINDS:
        raise BadRequest(
            "assessment periods are weeks (2026-W47), months (2026-11), quarters (2026-Q4) or years (2026)",
            code="bad_period",
        )
    return period


def _inputs(
    session: Session, period: Period, metrics: list[str], *, now: datetime, recompute: bool
) -> InputSnapshot:
    """The frozen snapshot of a closed period, or fresh values (frozen once the period is over)."""
    key = _digest(sorted(metrics))
    closed = period.is_closed(now)
    if closed and not recompute:
        frozen = session.scalars(
            select(InputSnapshot)
            .where(
                InputSnapshot.period == period.label,
                InputSnapshot.metrics_key == key,
                InputSnapshot.frozen.is_(True),
            )
            .order_by(InputSnapshot.id.desc())
        ).first()
        if frozen is not None:
            return frozen
    schools = all_schools(session)
    per = stats.compute_per_school(session, period=period, school_ids={s.id for s in schools}, names=metrics)
    values = {
        str(s.id): {
            m: (None if per[s.id][m].value is None else round(float(per[s.id][m].value or 0), 6))
            for m in metrics
        }
        for s in schools
    }
    school_map = {str(s.id): s.as_dict() for s in schools}
    if closed:
        for old in session.scalars(
            select(InputSnapshot).where(
                InputSnapshot.period == period.label,
                InputSnapshot.metrics_key == key,
                InputSnapshot.frozen.is_(True),
            )
        ).all():
            old.frozen = False  # an explicit recompute supersedes the earlier freeze
    snap = InputSnapshot(
        period=period.label,
        metrics_key=key,
        frozen=closed,
        schools=school_map,
        values=values,
        digest=_digest({"schools": school_map, "values": values}),
    )
    session.add(snap)
    session.flush()
    return snap


def run_assessment(
    session: Session,
    principal: Principal,
    *,
    period_label: str,
    trigger: str = "manual",
    recompute: bool = False,
    now: datetime | None = None,
) -> Run:
    """Score and rank every school of the city for a period; results are stored with their inputs."""
    period = parse_run_period(period_label)
    when = now or utcnow()
    schemes = _active_schemes(session)
    metrics = sorted({m for _, d in schemes for m in d.metrics})
    snap = _inputs(session, period, metrics, now=when, recompute=recompute)
    scores: dict[int, float] = {}
    rows: dict[int, dict[str, Any]] = {}
    for sid_text, info in sorted(snap.schools.items(), key=lambda kv: int(kv[0])):
        picked = scheme_for(schemes, info["type"])
        if picked is None:
            continue
        scheme, definition = picked
        if not definition.applies_to(info["type"]):
            continue
        total, lines = score_school(definition, snap.values.get(sid_text, {}))
        sid = int(sid_text)
        scores[sid] = total
        rows[sid] = {"info": info, "scheme": scheme, "lines": lines, "total": total}
    rank_city = competition_ranks(scores)
    rank_district = competition_ranks(scores, lambda k: rows[k]["info"]["district_code"])
    rank_type = competition_ranks(scores, lambda k: rows[k]["info"]["type"])
    general = scheme_for(schemes, "")
    run = Run(
        period=period.label,
        period_kind=period.kind.value,
        period_start=period.start,
        period_end=period.end,
        scheme_id=(general or schemes[0])[0].id,
        input_id=snap.id,
        closed=period.is_closed(when),
        trigger=trigger,
        school_count=len(rows),
        created_by=principal.label,
    )
    session.add(run)
    session.flush()
    digest_rows = []
    for sid in sorted(rows):
        r = rows[sid]
        info, scheme = r["info"], r["scheme"]
        lines = [line.as_dict() for line in r["lines"]]
        session.add(
            Result(
                run_id=run.id,
                school_id=sid,
                school_code=info["code"],
                school_name=info["name"],
                district_code=info["district_code"],
                district_name=info["district_name"],
                school_type=info["type"],
                score=r["total"],
                rank=rank_city[sid],
                rank_district=rank_district[sid],
                rank_type=rank_type[sid],
                groups={
                    "scheme": {"id": scheme.id, "code": scheme.code, "version": scheme.version},
                    "subtotals": group_subtotals(r["lines"]),
                },
                lines=lines,
            )
        )
        digest_rows.append([sid, r["total"], rank_city[sid], lines])
    run.result_digest = _digest(digest_rows)
    values = list(scores.values())
    run.summary = {
        "average": round(sum(values) / len(values), 2) if values else None,
        "max": max(values) if values else None,
        "min": min(values) if values else None,
        "input_digest": snap.digest,
        "metrics": metrics,
        "schemes": sorted({f"{r['scheme'].code}@v{r['scheme'].version}" for r in rows.values()}),
    }
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="assessment.run",
        target_type="assessment_run",
        target_id=run.id,
        detail={
            "period": period.label,
            "trigger": trigger,
            "schools": len(rows),
            "digest": run.result_digest,
        },
    )
    from campusguard.assessment import push

    push.enqueue(session, run)
    log.info("assessment.run", run_id=run.id, period=period.label, schools=len(rows), trigger=trigger)
    return run


def get_run(session: Session, run_id: int) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"assessment run {run_id} not found")
    return run


def results(session: Session, principal: Principal, run: Run) -> list[Result]:
    """The run's results the caller may see (ranks stay the city-wide ones)."""
    stmt = select(Result).where(Result.run_id == run.id)
    ids = allowed_school_ids(session, principal)
    if ids is not None:
        stmt = stmt.where(Result.school_id.in_(sorted(ids)))
    return list(session.scalars(stmt.order_by(Result.rank, Result.school_id)).all())


def explain(session: Session, principal: Principal, run: Run, school_id: int) -> dict[str, Any]:
    """One school's score line by line, with the inputs used and where to see the evidence."""
    ids = allowed_school_ids(session, principal)
    if ids is not None and school_id not in ids:
        raise NotFound(f"school {school_id} has no result in your scope")
    row = session.scalars(
        select(Result).where(Result.run_id == run.id, Result.school_id == school_id)
    ).first()
    if row is None:
        raise NotFound(f"school {school_id} has no result in run {run.id}")
    snap = session.get(InputSnapshot, run.input_id) if run.input_id else None
    inputs = snap.values.get(str(school_id), {}) if snap else {}
    lines = []
    for line in row.lines:
        lines.append(
            {
                **line,
                "evidence": f"/api/v1/stats/drilldown?metric={line['metric']}"
                f"&school={school_id}&period={run.period}",
            }
        )
    return {
        "run_id": run.id,
        "period": run.period,
        "school_id": row.school_id,
        "school_name": row.school_name,
        "district_name": row.district_name,
        "school_type": row.school_type,
        "score": row.score,
        "rank": row.rank,
        "rank_district": row.rank_district,
        "rank_type": row.rank_type,
        "scheme": row.groups.get("scheme"),
        "subtotals": row.groups.get("subtotals"),
        "lines": lines,
        "lines_sum": round(sum(float(x["score"]) for x in row.lines), 2),
        "inputs": inputs,
        "input_digest": snap.digest if snap else None,
    }


def list_runs(session: Session, limit: int, offset: int) -> tuple[list[Run], int]:
    total = session.scalar(select(func.count()).select_from(Run)) or 0
    rows = session.scalars(select(Run).order_by(Run.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def district_averages(items: list[Result]) -> list[tuple[str, float]]:
    acc: dict[str, list[float]] = defaultdict(list)
    for r in items:
        acc[r.district_name].append(r.score)
    return [(k, round(sum(v) / len(v), 2)) for k, v in sorted(acc.items())]


def scheduled_exists(session: Session, period: Period) -> bool:
    return (
        session.scalar(select(Run.id).where(Run.period == period.label, Run.trigger == "scheduled"))
        is not None
    )


def create_endpoint(session: Session, principal: Principal, *, name: str, url: str, secret: str) -> Endpoint:
    row = Endpoint(name=name, url=url, secret=secret, active=True)
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="assessment.endpoint.create",
        target_type="endpoint",
        target_id=row.id,
        detail={"name": name, "url": url},
    )
    return row
