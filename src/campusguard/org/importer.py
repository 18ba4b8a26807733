"""Bulk import of schools, people and devices from CSV or XLSX: every row valid, or nothing written."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import structlog
from fastapi import UploadFile
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.errors import BadRequest, PayloadTooLarge, ProblemError, Unprocessable
from campusguard.org.schemas import LIVE_VIEW_KEYS, ImportResult, ImportRowError, PersonIn, SchoolIn

log = structlog.get_logger(__name__)
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000

# Real rosters come with Chinese headers; both spellings map to the API field names.
HEADERS = {
    "学校代码": "code", "学校编码": "code", "代码": "code", "编码": "code", "名称": "name", "学校名称": "name",
    "姓名": "name", "类型": "type", "学校类型": "type", "办学性质": "ownership", "区划代码": "district_code",
    "所属区": "district_code", "地址": "address", "纬度": "lat", "经度": "lon", "学生数": "students",
    "教职工数": "staff", "保安数": "guards", "网格": "grid_id", "校长": "principal_name", "电话": "phone",
    "所属学校": "school_code", "学校": "school_code", "人员类别": "kind", "班级": "class_name", "学号": "external_id",
    "工号": "external_id", "编号": "external_id", "证件号": "id_number", "身份证号": "id_number",
    "设备编码": "code", "设备名称": "name", "设备类型": "type", "区域": "area", "厂商": "vendor", "型号": "model",
    "协议": "protocol", "监护对象学号": "guardian_of",
}
VALUES = {"幼儿园": "kindergarten", "小学": "primary", "初中": "middle", "中学": "middle",
          "寄宿制高中": "boarding_high", "高中": "boarding_high", "公办": "public", "民办": "private",
          "学生": "student", "教职工": "staff", "家长": "guardian", "监护人": "guardian", "保安": "guard",
          "摄像机": "camera", "一键报警": "alarm_button", "道闸": "gate", "人脸终端": "face_terminal",
          "广播": "speaker", "传感器": "sensor"}


def read_upload(file: UploadFile, limit: int = MAX_BYTES) -> bytes:
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the file exceeds {limit} bytes")
    return data


def parse_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows as dicts with API field names; blank rows dropped."""
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise BadRequest("not a readable XLSX workbook", code="bad_file") from exc
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(it, ())]
        raw = [["" if v is None else str(v).strip() for v in row] for row in it]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise BadRequest("CSV must be UTF-8 or GB18030 text", code="bad_file") from exc
        reader = csv.reader(io.StringIO(text))
        header = [h.strip() for h in next(reader, [])]
        raw = [[v.strip() for v in row] for row in reader]
    if not header or not any(header):
        raise BadRequest("the file has no header row", code="bad_file")
    fields = [HEADERS.get(h, h) for h in header]
    rows = []
    for values in raw:
        if not any(values):
            continue
        rows.append({f: VALUES.get(v, v) for f, v in zip(fields, values, strict=False) if f and v != ""})
    if len(rows) > MAX_ROWS:
        raise PayloadTooLarge(f"at most {MAX_ROWS} rows per file")
    return rows


def _school_row(session: Session, principal: Principal, row: dict[str, str]) -> str:
    from campusguard.org import service

    data = SchoolIn.model_validate(row)
    existing = service.school_by_code(session, data.code)
    if existing is None:
        service.create_school(session, principal, data)
        return "created"
    from campusguard.org.schemas import SchoolPatch

    # the file has no live-view columns: a re-import keeps the windows set in the console
    fields = data.model_dump(exclude={"code", "district_code", *LIVE_VIEW_KEYS})
    service.update_school(session, principal, existing.id, SchoolPatch.model_validate(fields))
    return "updated"


def _person_row(session: Session, principal: Principal, row: dict[str, str]) -> str:
    from sqlalchemy import select

    from campusguard.org import service
    from campusguard.org.models import Person

    code = row.pop("school_code", None)
    if not code:
        raise BadRequest("school_code is required")
    school = service.get_school_by_code(session, principal, code)
    guardian_of = row.pop("guardian_of", None)
    person = service.create_person(session, principal, PersonIn.model_validate({**row, "school_id": school.id}))
    if guardian_of:
        student = session.scalars(select(Person).where(Person.school_id == school.id,
                                                       Person.external_id == guardian_of)).first()
        if student is None:
            raise BadRequest(f"no student {guardian_of} in {code}")
        service.link_guardian(session, principal, person.id, student.id)
    return "created"


def _device_row(session: Session, principal: Principal, row: dict[str, str]) -> str:
    from sqlalchemy import select

    from campusguard.device import service as devices
    from campusguard.device.schemas import DeviceIn
    from campusguard.org import service
    from campusguard.org.models import Area

    area_name = row.pop("area", None)
    if area_name:
        school = service.get_school_by_code(session, principal, row.get("school_code", ""))
        area_id = session.scalar(select(Area.id).where(Area.school_id == school.id, Area.name == area_name))
        if area_id is None:
            raise BadRequest(f"no area {area_name} in {school.code}")
        row["area_id"] = str(area_id)
    devices.create_device(session, principal, DeviceIn.model_validate(row))
    return "created"


HANDLERS: dict[str, Callable[[Session, Principal, dict[str, str]], str]] = {
    "schools": _school_row, "people": _person_row, "devices": _device_row}


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    if isinstance(exc, ProblemError):
        return [exc.detail]
    if isinstance(exc, IntegrityError):
        return ["conflicts with an existing record"]
    return [str(exc)]


def run_import(session: Session, principal: Principal, kind: str, filename: str, content: bytes, *,
               dry_run: bool = False) -> ImportResult:
    """Import inside one savepoint; any row error rolls everything back and is reported with its row number."""
    rows = parse_rows(filename, content)
    handler = HANDLERS[kind]
    errors: list[ImportRowError] = []
    counts = {"created": 0, "updated": 0}
    outer = session.begin_nested()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            with session.begin_nested():
                counts[handler(session, principal, dict(row))] += 1
        except (ValidationError, ProblemError, IntegrityError, ValueError) as exc:
            errors.append(ImportRowError(row=number, errors=_messages(exc)))
    committed = not errors and not dry_run
    if committed:
        outer.commit()
    else:
        outer.rollback()
    result = ImportResult(kind=kind, rows=len(rows), created=counts["created"], updated=counts["updated"],
                          errors=errors, committed=committed)
    log.info("import.done", kind=kind, rows=len(rows), errors=len(errors), committed=committed)
    if errors:
        raise Unprocessable(f"{len(errors)} of {len(rows)} rows are invalid; nothing was imported",
                            code="import_rejected", extra={"result": result.model_dump()})
    audit.record(session, principal=principal, action=f"import.{kind}", target_type=kind,
                 detail={"file": filename, "rows": len(rows), "dry_run": dry_run, **counts})
    return result


