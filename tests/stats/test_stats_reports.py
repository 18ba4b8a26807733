"""Excel exports carry a native chart and Chinese text; PDFs embed a CJK font and extract back as text."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from campusguard.stats.reports import Chart, Report, Section, Table, render_pdf, render_xlsx


def _report() -> Report:
    return Report(
        title="南山区校园安保周报",
        subtitle="2026-W47",
        sections=[
            Section(
                heading="报警概况",
                text=["本周报警共计 12 起，误报率 8.3%。"],
                tables=[
                    Table(
                        "各校得分",
                        ["学校", "得分", "排名"],
                        [["深圳实验学校", 95.5, 1], ["南山外国语", 90.0, 2]],
                    )
                ],
                charts=[Chart("报警按类型", ["一键报警", "周界入侵", "人脸预警"], [7, 3, 2], "起")],
            )
        ],
    )


def test_xlsx_has_native_chart_and_chinese() -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(_report())))
    ws = wb["报警概况"]
    assert ws["A1"].value == "南山区校园安保周报"
    assert len(ws._charts) == 1
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "深圳实验学校" in values and 95.5 in values


def test_pdf_is_pdf_with_extractable_chinese(tmp_path) -> None:
    data = render_pdf(_report())
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils is required in CI (make test installs it)")
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "南山区校园安保周报" in text
    assert "深圳实验学校" in text
    assert "报警按类型" in text
