"""Organisation services: regions, grids, schools, areas, people, and the scope resolver."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound
from campusguard.core.pagination import PageParams, paginate
from campusguard.core.permissions import REGION_ROLES
from campusguard.core.scope import allowed_school_ids, check_school, scoped, set_resolver
from campusguard.org.models import (
    AREA_KINDS,
    PRIVATE_AREA_KINDS,
    Area,
    Grid,
    GuardianLink,
    Person,
    Region,
    School,
)
from campusguard.org.schemas import LIVE_VIEW_KEYS, AreaIn, GridIn, PersonIn, RegionIn, SchoolIn, SchoolPatch


def resolve_school_ids(session: Session, principal: Principal) -> set[int] | None:
    """A region role sees its region's schools (None for the whole city); others their school codes."""
    if principal.role in REGION_ROLES:
        code = principal.region_code
        if not code:
            return set()
        region = session.get(Region, code)
        if region is None:
            return set()
        if region.level == "city":
            return None
        return set(session.scalars(select(School.id).where(School.district_code == code)).all())
    if not principal.school_codes:
        return set()
    return set(session.scalars(select(School.id).where(School.code.in_(principal.school_codes))).all())


set_resolver(resolve_school_ids)


def district_of(session: Session, school_id: int) -> str | None:
    return session.scalar(select(School.district_code).where(School.id == school_id))


def check_district_write(session: Session, principal: Principal, district_code: str) -> Region:
    """Only the city or the district's own police may create schools and grids in a district."""
    region = session.get(Region, district_code)
    if region is None or region.level != "district":
        raise BadRequest(f"unknown district {district_code}", code="unknown_district")
    if principal.kind == "system":
        return region
    own = session.get(Region, principal.region_code) if principal.region_code else None
    if own is not None and (own.level == "city" or own.code == district_code):
        return region
    raise Forbidden("this district is outside your scope", code="out_of_scope")


# ---- regions -------------------------------------------------------------------------------

def list_regions(session: Session, principal: Principal) -> list[Region]:
    stmt = select(Region).order_by(Region.level, Region.code)
    ids = allowed_school_ids(session, principal)
    if ids is not None:
        districts = set(session.scalars(select(School.district_code).where(School.id.in_(ids))).all())
        if principal.region_code:
            districts.add(principal.region_code)
        parents = set(session.scalars(select(Region.parent_code).where(Region.code.in_(districts))).all())
        stmt = stmt.where(Region.code.in_(districts | {p for p in parents if p}))
    return list(session.scalars(stmt).all())


def create_region(session: Session, principal: Principal, data: RegionIn) -> Region:
    if session.get(Region, data.code) is not None:
        raise Conflict(f"region {data.code} exists", code="duplicate")
    if data.level == "district" and (data.parent_code is None or session.get(Region, data.parent_code) is None):
        raise BadRequest("a district needs an existing parent city", code="unknown_parent")
    region = Region(**data.model_dump())
    session.add(region)
    session.flush()
    audit.record(session, principal=principal, action="region.create", target_type="region",
                 target_id=region.code, district_code=region.code, detail=data.model_dump())
    return region


# ---- grids ---------------------------------------------------------------------------------

def list_grids(session: Session, principal: Principal, district_code: str | None = None) -> list[Grid]:
    stmt = select(Grid).order_by(Grid.code)
    if district_code:
        stmt = stmt.where(Grid.district_code == district_code)
    ids = allowed_school_ids(session, principal)
    if ids is not None:
        grid_ids = set(session.scalars(select(School.grid_id).where(School.id.in_(ids))).all())
        conds: list[Any] = [Grid.id.in_([g for g in grid_ids if g])]
        if principal.region_code:
            conds.append(Grid.district_code == principal.region_code)
        stmt = stmt.where(or_(*conds))
    return list(session.scalars(stmt).all())


def create_grid(session: Session, principal: Principal, data: GridIn) -> Grid:
    check_district_write(session, principal, data.district_code)
    if session.scalar(select(Grid.id).where(Grid.code == data.code)) is not None:
        raise Conflict(f"grid {data.code} exists", code="duplicate")
    grid = Grid(**data.model_dump())
    session.add(grid)
    session.flush()
    audit.record(session, principal=principal, action="grid.create", target_type="grid", target_id=grid.id,
                 district_code=grid.district_code, detail=data.model_dump())
    return grid


# ---- schools -------------------------------------------------------------------------------

def _where_given(stmt: Select[Any], *filters: tuple[Any, object]) -> Select[Any]:
    """Equality filters for the query parameters the caller gave (None or empty means "any")."""
    for column, value in filters:
        if value:
            stmt = stmt.where(column == value)
    return stmt


def school_query(session: Session, principal: Principal, *, district_code: str | None = None,
                 type_: str | None = None, q: str | None = None, grid_id: int | None = None) -> Select[Any]:
    stmt = scoped(select(School).order_by(School.district_code, School.code), School.id, session, principal)
    stmt = _where_given(stmt, (School.district_code, district_code), (School.type, type_), (School.grid_id, grid_id))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(School.name.ilike(like), School.code.ilike(like)))
    return stmt


def list_schools(session: Session, principal: Principal, params: PageParams, **filters: Any
                 ) -> tuple[list[School], int]:
    return paginate(session, school_query(session, principal, **filters), params)


def get_school(session: Session, principal: Principal, school_id: int) -> School:
    """A school the caller may see, else 404 (existence is not revealed)."""
    school = session.get(School, school_id)
    if school is None:
        raise NotFound(f"school {school_id} not found")
    check_school(session, principal, school.id, write=False)
    return school


def school_by_code(session: Session, code: str) -> School | None:
    return session.scalars(select(School).where(School.code == code)).first()


def get_school_by_code(session: Session, principal: Principal, code: str) -> School:
    school = school_by_code(session, code)
    if school is None:
        raise NotFound(f"school {code} not found", code="unknown_school")
    check_school(session, principal, school.id, write=False)
    return school


def grids_by_id(session: Session, ids: set[int]) -> dict[int, Grid]:
    if not ids:
        return {}
    return {g.id: g for g in session.scalars(select(Grid).where(Grid.id.in_(ids))).all()}


def _check_grid(session: Session, grid_id: int | None, district_code: str) -> None:
    """A school's grid must exist and lie in the school's own district (grids are per district)."""
    if grid_id is None:
        return
    grid = session.get(Grid, grid_id)
    if grid is None:
        raise BadRequest(f"unknown grid {grid_id}", code="unknown_grid")
    if grid.district_code != district_code:
        raise BadRequest(f"grid {grid.code} is not in district {district_code}", code="grid_outside_district")


def create_school(session: Session, principal: Principal, data: SchoolIn) -> School:
    check_district_write(session, principal, data.district_code)
    if school_by_code(session, data.code) is not None:
        raise Conflict(f"school code {data.code} exists", code="duplicate")
    _check_grid(session, data.grid_id, data.district_code)
    fields = data.model_dump()
    live = {key: fields.pop(key) for key in LIVE_VIEW_KEYS}
    settings = {key: value for key, value in live.items() if value}
    school = School(**fields, settings=settings)
    session.add(school)
    session.flush()
    principal.cache.pop("school_ids", None)
    audit.record(session, principal=principal, action="school.create", target_type="school",
                 target_id=school.id, school_id=school.id, district_code=school.district_code,
                 detail=data.model_dump())
    return school


def update_school(session: Session, principal: Principal, school_id: int, data: SchoolPatch) -> School:
    """Change a school; moving it to another district needs write rights on both (city or that district)."""
    school = get_school(session, principal, school_id)
    check_school(session, principal, school.id, write=True)
    changes = data.model_dump(exclude_unset=True)
    live = {key: changes.pop(key) for key in LIVE_VIEW_KEYS if key in changes}
    if changes.get("district_code", school.district_code) != school.district_code:
        check_district_write(session, principal, school.district_code)
        check_district_write(session, principal, changes["district_code"])
        if "grid_id" not in changes and school.grid_id is not None:
            changes["grid_id"] = None  # the old grid belongs to the old district
    else:
        changes.pop("district_code", None)
    if changes.get("grid_id") is not None:
        _check_grid(session, changes["grid_id"], changes.get("district_code", school.district_code))
    before = {key: getattr(school, key) for key in changes}
    for key, value in changes.items():
        setattr(school, key, value)
    if live:
        settings = dict(school.settings or {})
        before.update({key: settings.get(key, []) for key in live})
        settings.update(live)
        school.settings = settings  # a new dict, so the JSON column is written
        changes.update(live)
    session.flush()
    principal.cache.pop("school_ids", None)
    audit.record(session, principal=principal, action="school.update", target_type="school",
                 target_id=school.id, school_id=school.id, district_code=school.district_code,
                 detail={**changes, "before": before})
    return school


def delete_school(session: Session, principal: Principal, school_id: int) -> None:
    school = get_school(session, principal, school_id)
    check_district_write(session, principal, school.district_code)
    audit.record(session, principal=principal, action="school.delete", target_type="school",
                 target_id=school.id, school_id=school.id, district_code=school.district_code,
                 detail={"code": school.code, "name": school.name})
    session.delete(school)
    session.flush()


def school_counts(session: Session, school_id: int) -> dict[str, int]:
    from campusguard.device.models import Device  # registry table; counts only

    people = dict(session.execute(select(Person.kind, func.count()).where(
        Person.school_id == school_id, Person.active.is_(True)).group_by(Person.kind)).tuples().all())
    devices = session.scalar(select(func.count()).where(Device.school_id == school_id)) or 0
    online = session.scalar(select(func.count()).where(Device.school_id == school_id,
                                                       Device.online.is_(True))) or 0
    areas = session.scalar(select(func.count()).where(Area.school_id == school_id)) or 0
    return {"areas": areas, "students": people.get("student", 0), "staff": people.get("staff", 0),
            "guardians": people.get("guardian", 0), "guards": people.get("guard", 0),
            "devices": devices, "devices_online": online}


# ---- areas ---------------------------------------------------------------------------------

def list_areas(session: Session, principal: Principal, school_id: int) -> list[Area]:
    get_school(session, principal, school_id)
    return list(session.scalars(select(Area).where(Area.school_id == school_id).order_by(Area.id)).all())


def get_area(session: Session, principal: Principal, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound(f"area {area_id} not found")
    check_school(session, principal, area.school_id, write=False)
    return area


def create_area(session: Session, principal: Principal, school_id: int, data: AreaIn) -> Area:
    school = get_school(session, principal, school_id)
    check_school(session, principal, school.id, write=True)
    if data.kind not in AREA_KINDS:
        raise BadRequest(f"unknown area kind {data.kind}; one of {', '.join(AREA_KINDS)}", code="bad_kind")
    if session.scalar(select(Area.id).where(Area.school_id == school_id, Area.name == data.name)):
        raise Conflict(f"area {data.name} exists in this school", code="duplicate")
    # Toilets, dormitories and changing rooms are private whatever the caller says.
    private = data.kind in PRIVATE_AREA_KINDS or bool(data.private)
    area = Area(school_id=school_id, name=data.name, kind=data.kind, private=private,
                key_area=data.key_area, adjacent=data.adjacent, lat=data.lat, lon=data.lon)
    session.add(area)
    session.flush()
    audit.record(session, principal=principal, action="area.create", target_type="area", target_id=area.id,
                 school_id=school_id, district_code=school.district_code, detail=data.model_dump())
    return area


def delete_area(session: Session, principal: Principal, area_id: int) -> None:
    area = get_area(session, principal, area_id)
    check_school(session, principal, area.school_id, write=True)
    audit.record(session, principal=principal, action="area.delete", target_type="area", target_id=area.id,
                 school_id=area.school_id, detail={"name": area.name})
    session.delete(area)
    session.flush()


def area_with_neighbours(session: Session, area_id: int) -> list[int]:
    """An area and its adjacent areas (for the cameras beside an alarm)."""
    area = session.get(Area, area_id)
    if area is None:
        return []
    return [area.id, *[a for a in (area.adjacent or []) if isinstance(a, int)]]


# ---- people --------------------------------------------------------------------------------

def people_query(session: Session, principal: Principal, *, school_id: int | None = None,
                 kind: str | None = None, class_name: str | None = None, q: str | None = None) -> Select[Any]:
    stmt = scoped(select(Person).order_by(Person.school_id, Person.kind, Person.id), Person.school_id,
                  session, principal)
    stmt = _where_given(stmt, (Person.school_id, school_id), (Person.kind, kind), (Person.class_name, class_name))
    if q:
        stmt = stmt.where(Person.name.ilike(f"%{q}%"))
    return stmt


def get_person(session: Session, principal: Principal, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found")
    check_school(session, principal, person.school_id, write=False)
    return person


def create_person(session: Session, principal: Principal, data: PersonIn) -> Person:
    school = get_school(session, principal, data.school_id)
    check_school(session, principal, school.id, write=True)
    if data.external_id and session.scalar(select(Person.id).where(
            Person.school_id == data.school_id, Person.external_id == data.external_id)):
        raise Conflict(f"person {data.external_id} exists in this school", code="duplicate")
    minor = data.minor if data.minor is not None else data.kind == "student"
    person = Person(**data.model_dump(exclude={"minor"}), minor=minor)
    session.add(person)
    session.flush()
    audit.record(session, principal=principal, action="person.create", target_type="person",
                 target_id=person.id, school_id=person.school_id, district_code=school.district_code,
                 detail={"kind": person.kind, "external_id": person.external_id})
    return person


def deactivate_person(session: Session, principal: Principal, person_id: int) -> Person:
    person = get_person(session, principal, person_id)
    check_school(session, principal, person.school_id, write=True)
    person.active = False
    session.flush()
    audit.record(session, principal=principal, action="person.deactivate", target_type="person",
                 target_id=person.id, school_id=person.school_id)
    return person


def link_guardian(session: Session, principal: Principal, guardian_id: int, student_id: int,
                  relation: str = "parent", can_pick_up: bool = True) -> GuardianLink:
    guardian = get_person(session, principal, guardian_id)
    student = get_person(session, principal, student_id)
    check_school(session, principal, student.school_id, write=True)
    if guardian.kind != "guardian" or student.kind != "student":
        raise BadRequest("a link goes from a guardian to a student", code="bad_link")
    existing = session.scalars(select(GuardianLink).where(GuardianLink.guardian_id == guardian_id,
                                                          GuardianLink.student_id == student_id)).first()
    if existing is not None:
        return existing
    link = GuardianLink(guardian_id=guardian_id, student_id=student_id, relation=relation,
                        can_pick_up=can_pick_up)
    session.add(link)
    session.flush()
    audit.record(session, principal=principal, action="guardian.link", target_type="person",
                 target_id=student_id, school_id=student.school_id, detail={"guardian_id": guardian_id})
    return link


def children_of(session: Session, guardian_person_id: int) -> list[Person]:
    """The students a guardian is linked to (what a parent may follow)."""
    return list(session.scalars(select(Person).join(GuardianLink, GuardianLink.student_id == Person.id)
                                .where(GuardianLink.guardian_id == guardian_person_id,
                                       Person.active.is_(True))).all())
