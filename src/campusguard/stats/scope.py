"""Which schools a dashboard covers: the caller's scope narrowed by region/school filters (org service)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.errors import NotFound
from campusguard.org import service as org


@dataclass(frozen=True, slots=True)
class SchoolInfo:
    """What stats needs to know about a school (kept in assessment snapshots too)."""

    id: int
    code: str
    name: str
    district_code: str
    district_name: str
    type: str
    lat: float | None
    lon: float | None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "code": self.code, "name": self.name, "district_code": self.district_code,
                "district_name": self.district_name, "type": self.type, "lat": self.lat, "lon": self.lon}


def region_names(session: Session, principal: Principal = SYSTEM) -> dict[str, str]:
    return {r.code: r.name for r in org.list_regions(session, principal)}


def district_names(session: Session) -> dict[str, str]:
    """Every district of the city (code -> name)."""
    return {r.code: r.name for r in org.list_regions(session, SYSTEM) if r.level == "district"}


def whole_districts(session: Session, principal: Principal) -> set[str]:
    """Districts the caller sees entirely (city roles: all; district roles: their own), for briefings."""
    from campusguard.core.scope import allowed_school_ids

    if allowed_school_ids(session, principal) is None:
        return set(district_names(session))
    code = principal.region_code
    return {code} if code and code in district_names(session) else set()


def schools_in_scope(session: Session, principal: Principal, *, region: str | None = None,
                     school: int | None = None) -> tuple[list[SchoolInfo], dict[str, str]]:
    """Schools visible to the caller under the filters, and the region names they may see.

    A region or school outside the caller's scope is a 404 (its existence is not revealed).
    """
    regions = {r.code: r for r in org.list_regions(session, principal)}
    names = {code: r.name for code, r in regions.items()}
    district: str | None = None
    if region:
        found = regions.get(region)
        if found is None:
            raise NotFound(f"region {region} not found in your scope", code="unknown_region")
        district = region if found.level == "district" else None
    if school is not None:
        row = org.get_school(session, principal, school)
        if district and row.district_code != district:
            raise NotFound(f"school {school} is not in region {region}", code="unknown_school")
        rows = [row]
    else:
        rows = list(session.scalars(org.school_query(session, principal, district_code=district)).all())
    if any(r.district_code not in names for r in rows):
        names = {**region_names(session), **names}
    return [SchoolInfo(r.id, r.code, r.name, r.district_code, names.get(r.district_code, r.district_code),
                       r.type, r.lat, r.lon) for r in rows], names


def all_schools(session: Session) -> list[SchoolInfo]:
    """Every school of the city, as the system sees it (jobs, assessment)."""
    infos, _ = schools_in_scope(session, SYSTEM)
    return infos
