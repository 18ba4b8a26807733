"""The face libraries screen in a real browser: edit an enrolled person, switch matching off, delete the library."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from .conftest import DemoServer, field, sign_in

pytestmark = pytest.mark.browser
PHOTO = Path(__file__).resolve().parents[1] / "data" / "faces" / "obama" / "1.jpg"


def test_school_admin_edits_a_roster_person_and_deletes_the_library(browser: Any, demo_server: DemoServer) -> None:
    api = demo_server.api("school_admin")
    school = api.get("/schools", params={"limit": 1}).json()["items"][0]
    name = f"教职工-{uuid.uuid4().hex[:6]}"
    wl = api.post("/watchlists", json={"name": name, "kind": "roster", "school_id": school["id"]})
    assert wl.status_code == 201, wl.text
    wid = wl.json()["id"]
    person = api.post(f"/watchlists/{wid}/persons", data={"name": "Teacher A", "category": "staff"},
                      files=[("photo", ("a.jpg", PHOTO.read_bytes(), "image/jpeg"))])
    assert person.status_code == 201, person.text
    pid = person.json()["id"]

    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    ctx.set_default_timeout(45_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, demo_server, "school_admin", "/face/libraries")
        page.locator(".el-table__row", has_text=name).first.click()
        persons = page.locator("[data-test=face-persons]")
        persons.locator(".el-table__row", has_text="Teacher A").wait_for()
        persons.locator("[data-test=face-person-edit]").first.click()
        page.fill(field("face-edit-name", "input"), "Teacher B")
        page.click("[data-test=face-edit-active]")
        page.click("[data-test=face-edit-save]")
        persons.locator(".el-table__row", has_text="Teacher B").wait_for()
        assert persons.locator("[data-test=face-person-active]").first.inner_text() == "—"
        saved = api.get(f"/face/persons/{pid}").json()
        assert saved["name"] == "Teacher B" and saved["active"] is False

        page.click("[data-test=face-list-delete]")
        page.locator(".el-message-box__btns .el-button--primary").click()
        page.locator(".el-table__row", has_text=name).wait_for(state="detached")
        assert api.get(f"/watchlists/{wid}").status_code == 404
        assert re.search(r"/face/libraries$", page.url)
        assert errors == []
    finally:
        ctx.close()
