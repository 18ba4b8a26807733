"""Checklist templates and failed items → hazard drafts (pure)."""

import pytest

from campusguard.hazard.checklists import DEFAULT_TEMPLATES, failed_items, validate_items
from campusguard.hazard.rules import CATEGORIES, SEVERITIES
from campusguard.org.models import SCHOOL_TYPES


def test_every_school_type_has_a_valid_template():
    assert set(DEFAULT_TEMPLATES) == set(SCHOOL_TYPES)
    for items in DEFAULT_TEMPLATES.values():
        assert validate_items([i.as_dict() for i in items])
        assert all(i.category in CATEGORIES and i.severity in SEVERITIES for i in items)
    codes = {i.code for i in DEFAULT_TEMPLATES["kindergarten"]}
    assert "KG-01" in codes and "DORM-01" not in codes
    assert "DORM-01" in {i.code for i in DEFAULT_TEMPLATES["boarding_high"]}


def test_failed_items_become_drafts():
    items = list(DEFAULT_TEMPLATES["primary"])
    answers = {i.code: True for i in items}
    answers["FIRE-02"] = False
    answers["FOOD-02"] = False
    drafts = failed_items(items, answers, {"FIRE-02": "北楼二层堆放杂物"})
    assert [d.item_code for d in drafts] == ["FIRE-02", "FOOD-02"]
    assert drafts[0].severity == "critical" and drafts[0].category == "fire"
    assert "北楼二层堆放杂物" in drafts[0].description


def test_unanswered_and_unknown_items_refused():
    items = list(DEFAULT_TEMPLATES["primary"])
    with pytest.raises(ValueError, match="unanswered"):
        failed_items(items, {items[0].code: True})
    answers = {i.code: True for i in items} | {"NOPE": False}
    with pytest.raises(ValueError, match="unknown"):
        failed_items(items, answers)


@pytest.mark.parametrize("bad", [
    [],
    [{"code": "A", "text": "", "category": "fire", "severity": "low"}],
    [{"code": "A", "text": "x", "category": "weather", "severity": "low"}],
    [{"code": "A", "text": "x", "category": "fire", "severity": "huge"}],
    [{"code": "A", "text": "x", "category": "fire", "severity": "low"}] * 2,
])
def test_bad_templates_refused(bad):
    with pytest.raises(ValueError):
        validate_items(bad)
