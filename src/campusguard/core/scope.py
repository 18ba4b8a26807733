"""Scope: which schools a caller may see or touch; every query and write goes through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal
from campusguard.core.errors import Forbidden, NotFound

SchoolResolver = Callable[[Session, Principal], "set[int] | None"]
_resolver: list[SchoolResolver] = []
T = TypeVar("T", bound=Select[Any])


def set_resolver(fn: SchoolResolver) -> None:
    """Installed by the org domain, which owns schools and regions."""
    _resolver[:] = [fn]


def allowed_school_ids(session: Session, principal: Principal) -> set[int] | None:
    """School ids the caller may see; None means every school (city level)."""
    if "school_ids" in principal.cache:
        cached: set[int] | None = principal.cache["school_ids"]
        return cached
    if principal.kind == "system":
        ids: set[int] | None = None
    elif principal.kind == "device":
        ids = {principal.school_id} if principal.school_id else set()
    else:
        if not _resolver:
            raise RuntimeError("no scope resolver installed (import campusguard.org.service)")
        ids = _resolver[0](session, principal)
    principal.cache["school_ids"] = ids
    return ids


def can_see_school(session: Session, principal: Principal, school_id: int | None) -> bool:
    ids = allowed_school_ids(session, principal)
    return ids is None or (school_id is not None and school_id in ids)


def check_school(session: Session, principal: Principal, school_id: int | None, *, write: bool = True) -> None:
    """Refuse a read (404, existence not revealed) or write (403) outside the caller's scope."""
    if can_see_school(session, principal, school_id):
        return
    if write:
        raise Forbidden("this school is outside your scope", code="out_of_scope")
    raise NotFound("no such record in your scope")


def scoped(stmt: T, column: Any, session: Session, principal: Principal) -> T:
    """Add the caller's school filter to a select on a table with a school_id column."""
    ids = allowed_school_ids(session, principal)
    if ids is None:
        return stmt
    return stmt.where(column.in_(sorted(ids)))
