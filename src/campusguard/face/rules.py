"""Configurable gate rules: stranger after hours, unknown adult at pick-up, student leaving in class."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.errors import BadRequest, Forbidden
from campusguard.core.scope import check_school
from campusguard.face.models import Rule
from campusguard.face.schemas import RuleIn
from campusguard.org.models import School

RULE_KINDS = ("stranger_after_hours", "unknown_adult_pickup", "student_leaving_class_hours")
DEFAULTS: dict[str, dict[str, Any]] = {
    "stranger_after_hours": {"school_types": ["kindergarten"], "open": "07:00", "close": "18:30"},
    "unknown_adult_pickup": {
        "school_types": ["kindergarten", "primary"],
        "windows": [["11:20", "12:30"], ["16:00", "17:45"]],
    },
    "student_leaving_class_hours": {
        "windows": [["08:00", "11:30"], ["14:00", "16:30"]],
        "weekdays": [0, 1, 2, 3, 4],
    },
}


def upsert(session: Session, principal: Principal, data: RuleIn) -> Rule:
    """Create or replace the rule of a kind for a school (school admin) or a school type (city)."""
    if data.school_id is not None:
        if not (principal.can("face.roster.admin") or principal.can("face.watchlist.admin")):
            raise Forbidden("only school or police administrators configure gate rules", code="forbidden")
        check_school(session, principal, data.school_id)
    elif principal.role.value != "city_admin":
        raise Forbidden("city-wide rules are set by the city administrator", code="forbidden")
    _check_params(data.params)
    row = session.scalars(
        select(Rule).where(
            Rule.kind == data.kind,
            Rule.school_id.is_(None) if data.school_id is None else Rule.school_id == data.school_id,
            Rule.school_type.is_(None) if data.school_type is None else Rule.school_type == data.school_type,
        )
    ).first()
    if row is None:
        row = Rule(kind=data.kind, school_id=data.school_id, school_type=data.school_type)
        session.add(row)
    row.enabled, row.params = data.enabled, dict(data.params)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="face.rule.set",
        target_type="face_rule",
        target_id=row.id,
        school_id=data.school_id,
        detail=data.model_dump(),
    )
    return row


def _check_params(params: dict[str, Any]) -> None:
    """Refuse malformed rule parameters with a 400 before they can break evaluation later."""
    try:
        for key in ("open", "close"):
            if key in params:
                _t(str(params[key]))
        windows = params.get("windows", [])
        if not isinstance(windows, list):
            raise TypeError("windows must be a list")
        for window in windows:
            if not isinstance(window, list) or len(window) != 2:
                raise TypeError("each window is [start, end]")
            _t(window[0])
            _t(window[1])
        for key in ("school_types", "weekdays"):
            if key in params and not isinstance(params[key], list):
                raise TypeError(f"{key} must be a list")
    except (TypeError, KeyError, IndexError) as exc:
        raise BadRequest(f"bad rule parameters: {exc}", code="bad_params") from exc


def _t(value: str) -> time:
    try:
        hh, mm = str(value).split(":")
        return time(int(hh), int(mm))
    except (ValueError, TypeError) as exc:
        raise BadRequest(f"time {value!r} is not HH:MM", code="bad_time") from exc


def _in_windows(local: datetime, windows: list[list[str]]) -> bool:
    now = local.time()
    return any(_t(a) <= now < _t(b) for a, b in windows)


def effective(session: Session, school: School) -> dict[str, dict[str, Any] | None]:
    """Per kind: the most specific rule (school > school type > city default); None if disabled."""
    rows = list(
        session.scalars(
            select(Rule).where(
                or_(
                    Rule.school_id == school.id,
                    Rule.school_id.is_(None) & or_(Rule.school_type.is_(None), Rule.school_type == school.type),
                )
            )
        )
    )
    out: dict[str, dict[str, Any] | None] = {}
    for kind in RULE_KINDS:
        mine = sorted(
            (r for r in rows if r.kind == kind),
            key=lambda r: (r.school_id is not None, r.school_type is not None),
            reverse=True,
        )
        if mine:
            rule = mine[0]
            out[kind] = {**DEFAULTS[kind], **rule.params} if rule.enabled else None
        else:
            out[kind] = dict(DEFAULTS[kind])
    return out


def evaluate(
    session: Session,
    school: School,
    *,
    at: datetime,
    tz: str,
    status: str,
    direction: str,
    person_kind: str | None,
) -> list[tuple[str, dict[str, Any]]]:
    """Rules that fire for one new passage, as (kind, detail)."""
    local = at.astimezone(ZoneInfo(tz))
    fired: list[tuple[str, dict[str, Any]]] = []
    rules = effective(session, school)
    r = rules["stranger_after_hours"]
    if (
        r
        and status == "unknown"
        and school.type in r.get("school_types", [school.type])
        and not _t(r["open"]) <= local.time() < _t(r["close"])
    ):
        fired.append(("stranger_after_hours", {"local_time": local.strftime("%H:%M"), **r}))
    r = rules["unknown_adult_pickup"]
    if (
        r
        and status == "unknown"
        and school.type in r.get("school_types", [school.type])
        and _in_windows(local, r["windows"])
    ):
        fired.append(("unknown_adult_pickup", {"local_time": local.strftime("%H:%M"), **r}))
    r = rules["student_leaving_class_hours"]
    if (
        r
        and person_kind == "student"
        and direction == "out"
        and local.weekday() in r.get("weekdays", range(7))
        and _in_windows(local, r["windows"])
    ):
        fired.append(("student_leaving_class_hours", {"local_time": local.strftime("%H:%M"), **r}))
    return fired
