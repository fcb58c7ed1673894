"""The A4 frame every printed document shares: embedded Chinese font, title block, page numbers, the
printer's name and time, and a 草稿/未审批 watermark on every page of a draft.

fpdf2 was chosen by measurement (bench/pdf_libraries.py, docs/paper.md): it embeds a subset of the
machine's Noto Sans CJK SC (CFF inside a .ttc) so every glyph is in the file, the 60-row daily sheet
is about 25 KiB, and it needs no system library (WeasyPrint needs pango and writes 8x larger files;
reportlab reads TrueType only and its built-in Chinese font is not embedded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from hub.errors import HubError
from hub.paper.texts import t

# Debian's fonts-noto-cjk; index 2 of each collection is the Simplified Chinese face (Noto Sans CJK
# SC), so Chinese glyph variants are the mainland's, not the Japanese ones.
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
REGULAR = FONT_DIR / "NotoSansCJK-Regular.ttc"
BOLD = FONT_DIR / "NotoSansCJK-Bold.ttc"
SC_INDEX = 2
FAMILY = "cjk"
MARGIN_MM = 15.0
GREY = (230, 230, 230)


class PaperError(HubError):
    """A document the hub cannot print (no font, no such line, nothing computed)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    """What every page carries: title and subtitle on top, who printed it and when at the foot."""

    title: str
    subtitle: str
    printed_by: str
    printed_at: str  # already formatted in the site's time zone
    draft: bool = False
    lang: str = "zh"


class Sheet(FPDF):
    """An A4 portrait page in the CJK font with the frame's header, footer and watermark."""

    def __init__(self, frame: Frame) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.frame = frame
        for path in (REGULAR, BOLD):
            if not path.is_file():
                raise PaperError("paper.err.no_font", path=str(path))
        self.add_font(FAMILY, fname=str(REGULAR), collection_font_number=SC_INDEX)
        self.add_font(FAMILY, style="B", fname=str(BOLD), collection_font_number=SC_INDEX)
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(frame.title)
        self.set_creator("FloorLedger")
        self.set_lang("zh-CN" if frame.lang == "zh" else "en")
        self.alias_nb_pages("{nb}")
        self.add_page()

    def header(self) -> None:
        if self.frame.draft:
            # drawn first, so the table prints over it; light enough to read the numbers through
            self.set_font(FAMILY, "B", 60)
            self.set_text_color(215, 215, 215)
            with self.rotation(35, x=self.w / 2, y=self.h / 2):
                self.text(self.w / 2 - 85, self.h / 2 + 10, t("paper.draft", self.frame.lang))
            self.set_text_color(0, 0, 0)
        self.set_font(FAMILY, "B", 16)
        title = self.frame.title
        if self.frame.draft:
            title += f"（{t('paper.draft', self.frame.lang)}）"
        self.cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 10)
        self.cell(0, 6, self.frame.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 8)
        lang = self.frame.lang
        printed = t("paper.printed", lang, who=self.frame.printed_by, time=self.frame.printed_at)
        self.cell(120, 5, printed, align="L")
        self.cell(0, 5, t("paper.page", lang, page=self.page_no(), pages="{nb}"), align="R")

    # --- building blocks ------------------------------------------------------------------------------

    def text_line(self, text: str, *, size: float = 9, bold: bool = False, height: float = 5) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def grid(
        self,
        head: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        align: Sequence[str],
        *,
        size: float = 9,
        line_height: float = 6,
    ) -> None:
        """A ruled table whose heading repeats on every page it runs onto."""
        self.set_font(FAMILY, "", size)
        heading = FontFace(emphasis="BOLD", fill_color=GREY)
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            line_height=line_height,
            headings_style=heading,
            repeat_headings=1,
            width=sum(widths),
        ) as table:
            cells = table.row()
            for text in head:
                cells.cell(text, align="C")
            for row in rows:
                cells = table.row()
                for text in row:
                    cells.cell(text)

    def signature(self, label: str, date_label: str) -> None:
        """`label` ____________  `date_label` ________ : a line for a wet signature."""
        self.set_font(FAMILY, "", 10)
        self.cell(32, 10, label)
        self.cell(70, 10, "", border="B")
        self.cell(8, 10, "")
        self.cell(14, 10, date_label)
        self.cell(40, 10, "", border="B", new_x="LMARGIN", new_y="NEXT")

    def pdf_bytes(self) -> bytes:
        return bytes(self.output())
