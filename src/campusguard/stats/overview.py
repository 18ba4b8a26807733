"""The dashboard payload: metrics, alarm breakdowns, trend, per-district table and the school map."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest
from campusguard.core.scope import allowed_school_ids
from campusguard.device import service as devices
from campusguard.device.models import Device
from campusguard.stats import metrics as M
from campusguard.stats import service
from campusguard.stats.metrics import METRICS, Kind
from campusguard.stats.models import StatsFact
from campusguard.stats.periods import Period, PeriodError, local_day, parse_period
from campusguard.stats.scope import SchoolInfo, schools_in_scope
from campusguard.stats.service import MetricValue

MAP_METRICS = ("camera_online_rate", "alarm_points_online_rate", "alarms_total", "hazards_overdue")
DISTRICT_METRICS = ("alarms_total", "false_alarm_rate", "camera_online_rate", "camera_networked_rate",
                    "alarm_points_networked_rate", "alarm_points_online_rate", "hazards_found", "hazards_rectified",
                    "hazards_overdue", "drills_done", "patrol_completion_rate", "rollcall_answer_rate", "face_alerts",
                    "bulletin_read_rate")
PER_SCHOOL_METRICS = tuple(dict.fromkeys(MAP_METRICS + DISTRICT_METRICS))


def period_of(text: str | None) -> Period:
    """Parse a `period` query parameter (default: the current month) into a 400 on error."""
    today = local_day(utcnow())
    try:
        return parse_period(text or f"{today.year}-{today.month:02d}", today=today)
    except PeriodError as exc:
        raise BadRequest(str(exc), code="bad_period") from exc


def metric_dict(value: MetricValue) -> dict[str, Any]:
    m = METRICS[value.name]
    return {"name": m.name, "label": m.label_zh, "label_en": m.label_en, "unit": m.unit.value,
            "group": m.group, "kind": m.kind.value, "source": m.source.value,
            "higher_is_better": m.higher_is_better, "value": _round(value.value), "status": value.status,
            "numerator": value.numerator, "denominator": value.denominator, "samples": value.samples}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def school_status(values: dict[str, MetricValue]) -> str:
    """Map colour: red (offline devices or overdue hazards), amber (degraded), green, grey (no data)."""
    cam = values.get("camera_online_rate")
    alarm = values.get("alarm_points_online_rate")
    overdue = values.get("hazards_overdue")
    rates = [v.value for v in (cam, alarm) if v is not None and v.value is not None]
    if not rates and (overdue is None or overdue.status == "no_data"):
        return "no_data"
    if (rates and min(rates) < 0.8) or (overdue is not None and (overdue.value or 0) > 0):
        return "red"
    if rates and min(rates) < 0.95:
        return "amber"
    return "green"


def _district_rows(schools: list[SchoolInfo], per_school: dict[int, dict[str, MetricValue]]
                   ) -> list[dict[str, Any]]:
    """Counts summed and rates re-derived from numerators/denominators per district."""
    acc: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    names: dict[str, str] = {}
    counts: dict[str, int] = defaultdict(int)
    for s in schools:
        names[s.district_code] = s.district_name
        counts[s.district_code] += 1
        for name, v in per_school.get(s.id, {}).items():
            a = acc[s.district_code][name]
            if v.status != "ok":
                continue
            a[2] += 1
            if METRICS[name].kind in (Kind.RATE, Kind.LATEST_RATE):
                a[0] += v.numerator or 0.0
                a[1] += v.denominator or 0.0
            else:
                a[0] += v.value or 0.0
    rows = []
    for code in sorted(names):
        values: dict[str, float | None] = {}
        for name in DISTRICT_METRICS:
            m = METRICS[name]
            num, den, seen = acc[code][name]
            if m.kind in (Kind.RATE, Kind.LATEST_RATE):
                values[name] = round(num / den, 4) if den > 0 else None
            elif m.kind in (Kind.COUNT, Kind.LATEST):
                values[name] = num if seen else None
        rows.append({"district_code": code, "district_name": names[code], "schools": counts[code],
                     "metrics": values})
    return rows


def build_overview(session: Session, principal: Principal, *, region: str | None, school: int | None,
                   period: Period, with_schools: bool = True) -> dict[str, Any]:
    """Everything the city/district/school dashboard shows, from one rollup read."""
    schools, _ = schools_in_scope(session, principal, region=region, school=school)
    ids: set[int] | None = {s.id for s in schools}
    if region is None and school is None and allowed_school_ids(session, principal) is None:
        ids = None  # the whole city: no 300-id IN list in every rollup query
    with service.provider_memo(session):
        aggregate, totals = service.aggregate_values(session, period=period, school_ids=ids,
                                                     extra_series=service.BREAKDOWN_SERIES)
        per_school = service.compute_per_school(session, period=period, school_ids=ids,
                                                names=PER_SCHOOL_METRICS)
    payload: dict[str, Any] = {
        "period": {"label": period.label, "kind": period.kind.value, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "closed": period.is_closed(utcnow())},
        "scope": {"region": region, "school": school, "schools": len(schools),
                  "districts": len({s.district_code for s in schools})},
        "metrics": [metric_dict(aggregate[m.name]) for m in M.CATALOGUE],
        "alarms": service.breakdown(totals),
        "trend": service.trend(session, period=period, school_ids=ids),
        "districts": _district_rows(schools, per_school),
    }
    if with_schools:
        payload["schools"] = [
            {**s.as_dict(), "status": school_status(per_school.get(s.id, {})),
             "metrics": {n: _round(per_school[s.id][n].value) if s.id in per_school else None
                         for n in MAP_METRICS}}
            for s in schools]
    return payload


def drilldown(session: Session, principal: Principal, *, metric: str, region: str | None, school: int | None,
              period: Period, limit: int, offset: int) -> dict[str, Any]:
    """The records behind a number: facts of the metric's series, or devices for networking metrics."""
    m = METRICS.get(metric)
    if m is None:
        raise BadRequest(f"unknown metric {metric!r}", code="unknown_metric",
                         extra={"known": sorted(METRICS)})
    schools, _ = schools_in_scope(session, principal, region=region, school=school)
    by_id = {s.id: s for s in schools}
    if m.source is M.Source.DEVICES:
        return _device_drilldown(session, principal, m, by_id, limit, offset)
    stmt = select(StatsFact).where(StatsFact.series == m.drill_series, StatsFact.day >= period.start,
                                   StatsFact.day < period.end, StatsFact.school_id.in_(sorted(by_id)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(StatsFact.occurred_at.desc(), StatsFact.id.desc())
                           .limit(limit).offset(offset)).all()
    items = [{"ref_type": f.ref_type, "ref_id": f.ref_id, "school_id": f.school_id,
              "school_name": by_id[f.school_id].name, "district_name": by_id[f.school_id].district_name,
              "occurred_at": f.occurred_at.isoformat(), "value": f.value, "label": f.label,
              "detail": f.detail}
             for f in rows]
    return {"metric": metric, "period": period.label, "items": items, "total": int(total)}


def _device_drilldown(session: Session, principal: Principal, m: M.Metric, by_id: dict[int, SchoolInfo],
                      limit: int, offset: int) -> dict[str, Any]:
    type_ = "camera" if "camera" in m.name else "face_terminal" if "face" in m.name else "alarm_button"
    stmt = devices.device_query(session, principal, type_=type_)
    stmt = stmt.where(Device.school_id.in_(sorted(by_id)))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = []
    for device, _code in session.execute(stmt.limit(limit).offset(offset)).tuples().all():
        items.append({"ref_type": "device", "ref_id": str(device.id), "school_id": device.school_id,
                      "school_name": by_id[device.school_id].name,
                      "district_name": by_id[device.school_id].district_name,
                      "occurred_at": device.last_seen.isoformat() if device.last_seen else None,
                      "value": 1.0 if device.online else 0.0, "label": f"{device.code} {device.name}",
                      "detail": {"online": device.online, "networked": device.last_seen is not None,
                                 "type": device.type}})
    return {"metric": m.name, "period": None, "items": items, "total": int(total)}
