"""The weekly review sheet (周评议) of one area: each inmate's ISO week in standard hours, and the
officers' sign-offs with names and dates, for the area's file.

Pure: `WeeklySheet` is plain data with the numbers as the weekly page shows them
(`hub.review.rules.WeekRow.shown`; `hub.paper.sources.weekly_sheet` builds it) and `render_weekly`
lays it out on A4. A week spans several steps whose pieces do not add up, so it is in hours, as on
the page and the wall board's 公示.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.paper.canvas import Frame, Sheet
from hub.paper.texts import t


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyRow:
    number: str
    name: str
    days: int
    quota_hours: str
    earned_hours: str
    completion_pct: str | None  # None: no quota in the week


@dataclass(frozen=True, slots=True, kw_only=True)
class SignoffLine:
    officer: str  # display name
    role: str  # hub.review.lock.STAGES
    time: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklySheet:
    area_code: str
    area_name: str
    week: str  # 2026-W43
    first_day: str
    last_day: str
    rows: tuple[WeeklyRow, ...]
    signoffs: tuple[SignoffLine, ...]
    area_rows: int
    printed_by: str
    printed_at: str
    lang: str = "zh"


COLUMNS = ("number", "name", "days", "quota_h", "earned_h", "pct")
WIDTHS = (30.0, 30.0, 24.0, 32.0, 32.0, 32.0)  # 180 mm
ALIGN = ("L", "L", "R", "R", "R", "R")
BLANK_SIGNOFFS = 3  # empty rows to sign by hand when nobody has signed off on the dashboard yet


def render_weekly(sheet: WeeklySheet) -> bytes:
    lang = sheet.lang
    missing = t("paper.missing", lang)
    frame = Frame(
        title=t("paper.weekly.title", lang),
        subtitle=t(
            "paper.weekly.subtitle",
            lang,
            area=sheet.area_name,
            code=sheet.area_code,
            week=sheet.week,
            first=sheet.first_day,
            last=sheet.last_day,
        ),
        printed_by=sheet.printed_by,
        printed_at=sheet.printed_at,
        lang=lang,
    )
    pdf = Sheet(frame)
    if len(sheet.rows) < sheet.area_rows:
        pdf.text_line(t("paper.monthly.partial", lang, rows=len(sheet.rows), total=sheet.area_rows))
    pdf.grid(
        [t(f"paper.weekly.col.{c}", lang) for c in COLUMNS],
        [
            [
                r.number,
                r.name or missing,
                str(r.days),
                r.quota_hours,
                r.earned_hours,
                r.completion_pct or missing,
            ]
            for r in sheet.rows
        ],
        WIDTHS,
        ALIGN,
    )
    pdf.ln(1)
    pdf.text_line(t("paper.weekly.note", lang), size=8)
    pdf.ln(3)
    pdf.text_line(t("paper.weekly.signoffs", lang), size=11, bold=True, height=7)
    signed = [[s.officer, t(f"paper.stage.{s.role}", lang), s.time, ""] for s in sheet.signoffs]
    if not signed:
        pdf.text_line(t("paper.weekly.unsigned", lang))
        signed = [["", "", "", ""]] * BLANK_SIGNOFFS
    pdf.grid(
        [t(f"paper.weekly.col.{c}", lang) for c in ("officer", "role", "time", "signature")],
        signed,
        (44.0, 36.0, 50.0, 50.0),
        ("L", "L", "L", "L"),
        line_height=10,
    )
    return pdf.pdf_bytes()
