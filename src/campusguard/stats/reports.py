"""Chinese Excel and PDF renderings of dashboards, assessments and briefings from one report model.

Excel gets native charts (openpyxl BarChart over the sheet's own cells) so the bureau can re-plot;
PDF draws its bar charts with fpdf2 vector primitives and embeds a CJK font subset.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import structlog
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

log = structlog.get_logger(__name__)

# (path, index in a TrueType collection); first existing wins. CG_REPORT_FONT=path[:index] overrides.
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Noto Sans CJK SC
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
)


class FontMissing(RuntimeError):
    """No CJK font is installed; PDF reports cannot be rendered."""


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int]:
    """Locate a CJK font usable by fpdf2 (TTC collections are addressed by index)."""
    override = os.environ.get("CG_REPORT_FONT")
    if override:
        path, _, idx = override.partition(":")
        return path, int(idx or 0)
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise FontMissing("install fonts-noto-cjk or fonts-wqy-microhei for PDF reports")


@dataclass(slots=True)
class Table:
    """A titled grid; numbers stay numbers in Excel."""

    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass(slots=True)
class Chart:
    """A bar chart of one value per category."""

    title: str
    categories: list[str]
    values: list[float]
    unit: str = ""


@dataclass(slots=True)
class Section:
    """One sheet in Excel, one heading in PDF."""

    heading: str
    text: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    title: str
    subtitle: str
    sections: list[Section]
    generated_at: datetime | None = None


# --- Excel ---------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(heading: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", heading)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}_{n}", n + 1
    used.add(name)
    return name


def render_xlsx(report: Report) -> bytes:
    """Workbook with one sheet per section; each chart is a native Excel bar chart over written cells."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    used: set[str] = set()
    for section in report.sections:
        ws = wb.create_sheet(_sheet_name(section.heading, used))
        ws.append([report.title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([report.subtitle])
        row = 3
        for line in section.text:
            ws.cell(row=row, column=1, value=line)
            row += 1
        widths: dict[int, int] = {}
        for table in section.tables:
            row += 1
            ws.cell(row=row, column=1, value=table.title).font = Font(bold=True)
            row += 1
            for c, name in enumerate(table.columns, start=1):
                cell = ws.cell(row=row, column=c, value=name)
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = _HEADER_FILL
                cell.alignment = Alignment(horizontal="center")
                widths[c] = max(widths.get(c, 8), _display_width(name))
            for values in table.rows:
                row += 1
                for c, value in enumerate(values, start=1):
                    ws.cell(row=row, column=c, value=value)
                    widths[c] = max(widths.get(c, 8), min(60, _display_width(str(value))))
            row += 1
        for chart in section.charts:
            row = _xlsx_chart(ws, chart, row + 1)
        for c, w in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = w + 2
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _xlsx_chart(ws: Any, chart: Chart, row: int) -> int:
    """Write the chart's data block and anchor a bar chart beside it; returns the next free row."""
    ws.cell(row=row, column=1, value=chart.title).font = Font(bold=True)
    top = row + 1
    ws.cell(row=top, column=1, value="类别")
    ws.cell(row=top, column=2, value=chart.unit or "数值")
    for i, (cat, val) in enumerate(zip(chart.categories, chart.values, strict=True), start=1):
        ws.cell(row=top + i, column=1, value=cat)
        ws.cell(row=top + i, column=2, value=val)
    bottom = top + max(1, len(chart.categories))
    bar = BarChart()
    bar.type = "col"
    bar.title = chart.title
    bar.y_axis.title = chart.unit or None
    bar.add_data(Reference(ws, min_col=2, min_row=top, max_row=bottom), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=bottom))
    bar.height, bar.width = 7.5, 16
    ws.add_chart(bar, f"D{top}")
    return max(bottom, top + 15) + 1


# --- PDF -----------------------------------------------------------------------------------------

_PALETTE = ((31, 78, 121), (46, 134, 193), (93, 173, 226), (133, 193, 233))


class _Pdf(FPDF):
    """A4 page with the report title in the footer."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, f"{self.footer_text}  第 {self.page_no()} 页", align="C")
        self.set_text_color(0, 0, 0)


def render_pdf(report: Report) -> bytes:
    """A4 portrait PDF in Chinese: headings, paragraphs, tables and vector bar charts."""
    path, index = cjk_font()
    pdf = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.footer_text = report.title
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_title(report.title)
    pdf.set_creator("CampusGuard")
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 10, report.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, report.subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in report.sections:
        pdf.ln(3)
        pdf.set_font("cjk", size=13)
        pdf.multi_cell(0, 8, section.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", size=10)
        for line in section.text:
            pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for chart in section.charts:
            _pdf_chart(pdf, chart)
        for table in section.tables:
            _pdf_table(pdf, table)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, table: Table) -> None:
    pdf.ln(2)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, table.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=8)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    weights = [max(3, min(16, _display_width(c))) for c in table.columns]
    for r in table.rows[:50]:
        for i, v in enumerate(r[: len(weights)]):
            weights[i] = max(weights[i], min(24, _display_width(_cell_text(v))))
    scale = usable / sum(weights)
    widths = [w * scale for w in weights]
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=5,
                   headings_style=_heading_style()) as grid:
        header = grid.row()
        for name in table.columns:
            header.cell(name)
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell(_cell_text(value))


def _heading_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(color=(255, 255, 255), fill_color=_PALETTE[0])


def _cell_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return str(value)


def _pdf_chart(pdf: FPDF, chart: Chart, height: float = 55) -> None:
    """Vertical bars with value labels, drawn with rectangles and text (no raster images)."""
    if not chart.values:
        return
    if pdf.get_y() + height + 20 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, chart.title + (f"（{chart.unit}）" if chart.unit else ""),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    x0, y0 = pdf.l_margin + 8, pdf.get_y() + 2
    width = pdf.w - pdf.l_margin - pdf.r_margin - 10
    top = max(max(chart.values), 0.0) or 1.0
    n = len(chart.values)
    slot = width / n
    bar_w = max(1.0, slot * 0.6)
    pdf.set_draw_color(150, 150, 150)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    pdf.set_font("cjk", size=6 if n > 12 else 7)
    for i, (cat, val) in enumerate(zip(chart.categories, chart.values, strict=True)):
        h = height * max(val, 0.0) / top
        x = x0 + i * slot + (slot - bar_w) / 2
        pdf.set_fill_color(*_PALETTE[i % 2])
        if h > 0:
            pdf.rect(x, y0 + height - h, bar_w, h, style="F")
        pdf.set_xy(x - 2, y0 + height - h - 4)
        pdf.cell(bar_w + 4, 4, _cell_text(round(val, 2)), align="C")
        pdf.set_xy(x0 + i * slot, y0 + height + 1)
        pdf.cell(slot, 4, cat[:8] if n > 8 else cat, align="C")
    pdf.set_xy(pdf.l_margin, y0 + height + 7)


def ratio_pct(value: float | None) -> str:
    """0.953 -> '95.3%'; None -> '无数据' (used by every report table)."""
    return "无数据" if value is None else f"{value * 100:.1f}%"


def fmt_metric(unit: str, value: float | None) -> str:
    """Human text of a metric value in Chinese reports."""
    if value is None:
        return "无数据"
    if unit == "ratio":
        return ratio_pct(value)
    if unit == "s":
        return f"{value:.0f}秒"
    return f"{value:g}"


def table_from(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> Table:
    return Table(title, list(columns), [list(r) for r in rows])
