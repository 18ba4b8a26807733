"""Organisation: regions, grids, schools, areas inside schools, and the people of each school."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.crypto import EncryptedText
from campusguard.core.db import Base, TimestampMixin

SCHOOL_TYPES = ("kindergarten", "primary", "middle", "boarding_high")
OWNERSHIP = ("public", "private")
AREA_KINDS = ("main_gate", "back_gate", "perimeter", "classroom", "dormitory", "kitchen", "canteen",
              "playground", "pool", "monitoring_room", "gatehouse", "toilet", "changing_room", "office",
              "corridor", "parking", "other")
PRIVATE_AREA_KINDS = frozenset({"toilet", "dormitory", "changing_room"})
PERSON_KINDS = ("student", "staff", "guardian", "guard")


class Region(Base):
    """City or district, keyed by its administrative code (e.g. 440300 Shenzhen, 440303 Luohu)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))  # city | district
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))


class Grid(TimestampMixin, Base):
    """A grid (网格) of schools with one named responsible person."""

    __tablename__ = "grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    district_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    owner_name: Mapped[str] = mapped_column(String(64))
    owner_phone: Mapped[str | None] = mapped_column(String(32))
    owner_user_id: Mapped[int | None] = mapped_column(Integer)


class School(TimestampMixin, Base):
    """A school or kindergarten: the unit every scope, alarm and assessment hangs on."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    type: Mapped[str] = mapped_column(String(16))
    ownership: Mapped[str] = mapped_column(String(8), default="public")
    district_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str] = mapped_column(String(256), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    students: Mapped[int] = mapped_column(Integer, default=0)
    staff: Mapped[int] = mapped_column(Integer, default=0)
    guards: Mapped[int] = mapped_column(Integer, default=0)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"), index=True)
    principal_name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Area(TimestampMixin, Base):
    """A place inside a school; private areas (toilets, dormitories) are never shown to parents."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    key_area: Mapped[bool] = mapped_column(Boolean, default=False)
    adjacent: Mapped[list[int]] = mapped_column(JSON, default=list)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class Person(TimestampMixin, Base):
    """Student, staff member, guardian or guard on a school's roster."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("school_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    class_name: Mapped[str | None] = mapped_column(String(64))
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    id_number: Mapped[str | None] = mapped_column(EncryptedText())
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class GuardianLink(Base):
    """A guardian's link to a student; it is what lets a parent see their child's class."""

    __tablename__ = "guardian_links"
    __table_args__ = (UniqueConstraint("guardian_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(16), default="parent")
    can_pick_up: Mapped[bool] = mapped_column(Boolean, default=True)
