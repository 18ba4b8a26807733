"""Default inspection checklists per school type, and turning failed items into hazard drafts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from campusguard.hazard.rules import CATEGORIES, SEVERITIES


@dataclass(frozen=True)
class ChecklistItem:
    """One line of a checklist; a failed answer becomes a hazard of this category and severity."""

    code: str
    text: str
    category: str
    severity: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text, "category": self.category, "severity": self.severity}


def _items(rows: list[tuple[str, str, str, str]]) -> tuple[ChecklistItem, ...]:
    return tuple(ChecklistItem(*row) for row in rows)


_COMMON: Final = [
    ("FIRE-01", "灭火器在有效期内且压力正常 Extinguishers charged and in date", "fire", "high"),
    ("FIRE-02", "疏散通道、安全出口畅通 Escape routes and exits unobstructed", "fire", "critical"),
    ("FIRE-03", "应急照明和疏散指示完好 Emergency lighting and exit signs work", "fire", "medium"),
    ("ELEC-01", "无私拉乱接电线 No improvised wiring or overloaded sockets", "electrical", "high"),
    ("BLDG-01", "围墙、栏杆、门窗无破损 Walls, railings, doors and windows intact", "building", "medium"),
    ("PERI-01", "周界防护（围墙/护栏/报警）完好 Perimeter protection intact", "perimeter", "high"),
    ("PERI-02", "校门防冲撞设施到位 Anti-ram barriers at the gate in place", "perimeter", "high"),
    ("EQUIP-01", "一键报警装置测试正常 One-button alarm tested and working", "equipment", "critical"),
    ("EQUIP-02", "监控摄像头在线且画面清晰 Cameras online with a clear picture", "equipment", "medium"),
    ("TRAF-01", "校门口交通设施及护学岗 Traffic signs and crossing guard at the gate", "traffic", "medium"),
]
_FOOD: Final = [
    ("FOOD-01", "食堂持证、从业人员健康证齐全 Canteen licensed, staff certified", "food", "high"),
    ("FOOD-02", "食品留样 48 小时 Food samples kept 48 hours", "food", "high"),
]
_KINDERGARTEN: Final = [
    ("KG-01", "大型玩具、游乐设施安全 Play equipment safe and anchored", "equipment", "high"),
    ("KG-02", "幼儿接送制度落实 Pick-up only by registered guardians", "perimeter", "critical"),
]
_BOARDING: Final = [
    ("DORM-01", "宿舍查寝、夜间值守落实 Dormitory night checks and watch kept", "building", "high"),
    ("DORM-02", "宿舍无违规电器 No forbidden appliances in dormitories", "electrical", "high"),
]
_SECONDARY: Final = [
    ("LAB-01", "实验室危化品双人双锁 Lab chemicals under two-person two-lock control", "fire", "critical"),
]

DEFAULT_TEMPLATES: Final[dict[str, tuple[ChecklistItem, ...]]] = {
    "kindergarten": _items(_COMMON + _FOOD + _KINDERGARTEN),
    "primary": _items(_COMMON + _FOOD),
    "middle": _items(_COMMON + _FOOD + _SECONDARY),
    "boarding_high": _items(_COMMON + _FOOD + _SECONDARY + _BOARDING),
}


def validate_items(items: list[dict[str, Any]]) -> list[ChecklistItem]:
    """Check a custom template's items; raises ValueError with the first defect."""
    if not items:
        raise ValueError("a checklist needs at least one item")
    seen: set[str] = set()
    out: list[ChecklistItem] = []
    for i, raw in enumerate(items):
        code = str(raw.get("code", "")).strip()
        text = str(raw.get("text", "")).strip()
        category = str(raw.get("category", ""))
        severity = str(raw.get("severity", ""))
        if not code or not text:
            raise ValueError(f"item {i}: code and text are required")
        if code in seen:
            raise ValueError(f"item {i}: duplicate code {code}")
        if category not in CATEGORIES:
            raise ValueError(f"item {i}: unknown category {category!r}")
        if severity not in SEVERITIES:
            raise ValueError(f"item {i}: unknown severity {severity!r}")
        seen.add(code)
        out.append(ChecklistItem(code, text, category, severity))
    return out


@dataclass(frozen=True)
class HazardDraft:
    """What an inspection's failed item turns into."""

    item_code: str
    category: str
    severity: str
    description: str


def failed_items(items: list[ChecklistItem], answers: dict[str, bool],
                 notes: dict[str, str] | None = None) -> list[HazardDraft]:
    """Every item must be answered; each failed one yields a hazard draft (unknown codes refused)."""
    by_code = {i.code: i for i in items}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        raise ValueError(f"unknown checklist items: {', '.join(unknown)}")
    missing = [c for c in by_code if c not in answers]
    if missing:
        raise ValueError(f"unanswered checklist items: {', '.join(missing)}")
    notes = notes or {}
    drafts = []
    for item in items:
        if answers[item.code]:
            continue
        note = notes.get(item.code, "").strip()
        text = f"[{item.code}] {item.text}" + (f" — {note}" if note else "")
        drafts.append(HazardDraft(item.code, item.category, item.severity, text))
    return drafts
