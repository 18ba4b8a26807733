"""Printable checkpoint sheet: one signed QR code per checkpoint on an A4 PDF with Chinese labels."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF

# Noto Sans CJK is a collection; index 2 is the Simplified Chinese face (fonts-noto-cjk, Debian).
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)
COLS, ROWS = 2, 3


@dataclass(frozen=True)
class SheetItem:
    """What one cell of the sheet shows."""

    name: str
    area: str
    token: str
    expires_at: datetime
    short_code: str = ""


def cjk_font() -> tuple[str, int]:
    """Path and collection index of a font with Chinese glyphs (CG_CJK_FONT overrides)."""
    override = os.environ.get("CG_CJK_FONT")
    if override:
        return override, 0
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise RuntimeError("no CJK font found: apt-get install fonts-noto-cjk")


def _qr_png(token: str) -> io.BytesIO:
    buf = io.BytesIO()
    segno.make(token, error="m", micro=False).save(buf, kind="png", scale=8, border=2)
    buf.seek(0)
    return buf


def render(school_name: str, items: list[SheetItem], generated_at: datetime) -> bytes:
    """Six codes per A4 page, each with its checkpoint name, area and the typed-entry fallback."""
    path, index = cjk_font()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    cell_w, cell_h, top = 95.0, 88.0, 22.0
    for i, item in enumerate(items):
        slot = i % (COLS * ROWS)
        if slot == 0:
            pdf.add_page()
            pdf.set_font("cjk", size=14)
            pdf.set_xy(10, 8)
            pdf.cell(
                190, 8, f"{school_name} 巡逻点二维码 (生成于 {generated_at:%Y-%m-%d %H:%M} UTC)", align="C"
            )
        col, row = slot % COLS, slot // COLS
        x, y = 10 + col * cell_w, top + row * cell_h
        pdf.rect(x, y, cell_w - 4, cell_h - 4)
        pdf.image(_qr_png(item.token), x=x + (cell_w - 4 - 50) / 2, y=y + 3, w=50, h=50)
        pdf.set_font("cjk", size=13)
        pdf.set_xy(x + 2, y + 55)
        pdf.cell(cell_w - 8, 7, item.name[:28], align="C")
        pdf.set_font("cjk", size=9)
        pdf.set_xy(x + 2, y + 62)
        pdf.cell(cell_w - 8, 5, f"区域: {item.area[:30]}  有效期至 {item.expires_at:%Y-%m-%d}", align="C")
        pdf.set_font("cjk", size=12)
        pdf.set_xy(x + 2, y + 68)
        pdf.cell(cell_w - 8, 6, f"无法扫码时输入短码: {item.short_code}", align="C")
        pdf.set_font("cjk", size=6)
        pdf.set_xy(x + 2, y + 75)
        pdf.multi_cell(cell_w - 8, 3, item.token, align="C")
    if not items:
        pdf.add_page()
        pdf.set_font("cjk", size=14)
        pdf.cell(190, 10, f"{school_name}: 暂无巡逻点", align="C")
    return bytes(pdf.output())
