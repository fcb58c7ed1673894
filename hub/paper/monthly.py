"""The monthly assessment sheet (月考核) of one area: scores, adjustments with reasons, approvals.

Pure: `MonthlySheet` is plain data with the numbers already rounded as the rule book says (the same
text as the exports; `hub.paper.sources.monthly_sheet` builds it from the engine's view) and
`render_monthly` lays it out on A4. A month the labor section has not locked prints 草稿/未审批 in
the title and across every page, so a draft can never pass for the final sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.paper.canvas import Frame, Sheet
from hub.paper.texts import t


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyRow:
    number: str
    name: str
    workdays: int
    days_met: int
    completion_pct: str | None  # "97.25"; None: no quota in the month
    base_points: str | None  # None: exempt all month (not assessed)
    bonus_points: str | None
    adjust_points: str | None
    labor_points: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustmentLine:
    number: str
    name: str
    points: str  # signed: "-2.5", "+1"
    reason: str
    day: str
    by: str  # the officer's name


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalLine:
    stage: str  # hub.review.lock.STAGES
    officer: str | None  # None: this stage has not approved
    time: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlySheet:
    area_code: str
    area_name: str
    month: str
    state: str  # open | line_officer | area_head | locked
    rule_set_version: str
    rows: tuple[MonthlyRow, ...]
    adjustments: tuple[AdjustmentLine, ...]
    approvals: tuple[ApprovalLine, ...]  # every stage in order
    area_rows: int  # rows of the whole area (more than `rows` for a line officer's sheet)
    printed_by: str
    printed_at: str
    lang: str = "zh"

    @property
    def draft(self) -> bool:
        return self.state != "locked"


COLUMNS = ("number", "name", "workdays", "days_met", "pct", "base", "bonus", "adjust", "labor")
WIDTHS = (24.0, 20.0, 17.0, 17.0, 20.0, 18.0, 22.0, 18.0, 24.0)  # 180 mm
ALIGN = ("L", "L", "R", "R", "R", "R", "R", "R", "R")


def cells(row: MonthlyRow, lang: str) -> list[str]:
    missing = t("paper.missing", lang)

    def shown(value: str | None) -> str:
        return missing if value is None else value

    adjust = row.adjust_points
    if adjust is not None and not adjust.startswith("-") and adjust not in ("0", "0.0"):
        adjust = "+" + adjust
    return [
        row.number,
        row.name or missing,
        str(row.workdays),
        str(row.days_met),
        shown(row.completion_pct),
        shown(row.base_points),
        shown(row.bonus_points),
        shown(adjust),
        shown(row.labor_points),
    ]


def render_monthly(sheet: MonthlySheet) -> bytes:
    lang = sheet.lang
    frame = Frame(
        title=t("paper.monthly.title", lang),
        subtitle=t(
            "paper.monthly.subtitle",
            lang,
            area=sheet.area_name,
            code=sheet.area_code,
            month=sheet.month,
            state=t(f"paper.state.{sheet.state}", lang),
        ),
        printed_by=sheet.printed_by,
        printed_at=sheet.printed_at,
        draft=sheet.draft,
        lang=lang,
    )
    pdf = Sheet(frame)
    pdf.text_line(t("paper.monthly.rule_set", lang, version=sheet.rule_set_version))
    if len(sheet.rows) < sheet.area_rows:
        pdf.text_line(t("paper.monthly.partial", lang, rows=len(sheet.rows), total=sheet.area_rows))
    pdf.ln(1)
    pdf.grid(
        [t(f"paper.monthly.col.{c}", lang) for c in COLUMNS],
        [cells(row, lang) for row in sheet.rows],
        WIDTHS,
        ALIGN,
    )
    pdf.ln(1)
    pdf.text_line(t("paper.monthly.note", lang), size=8)

    pdf.ln(3)
    pdf.text_line(t("paper.monthly.adjustments", lang), size=11, bold=True, height=7)
    if not sheet.adjustments:
        pdf.text_line(t("paper.monthly.no_adjustments", lang))
    else:
        pdf.grid(
            [
                t(f"paper.monthly.col.{c}", lang)
                for c in ("number", "name", "points", "reason", "entered", "by")
            ],
            [[a.number, a.name, a.points, a.reason, a.day, a.by] for a in sheet.adjustments],
            (24.0, 20.0, 16.0, 70.0, 24.0, 26.0),
            ("L", "L", "R", "L", "L", "L"),
        )

    pdf.ln(3)
    pdf.text_line(t("paper.monthly.approvals", lang), size=11, bold=True, height=7)
    not_yet = t("paper.monthly.not_yet", lang)
    pdf.grid(
        [t(f"paper.monthly.col.{c}", lang) for c in ("stage", "officer", "time", "signature")],
        [
            [t(f"paper.stage.{a.stage}", lang), a.officer or not_yet, a.time or "", ""]
            for a in sheet.approvals
        ],
        (36.0, 44.0, 50.0, 50.0),
        ("L", "L", "L", "L"),
        line_height=10,  # room for the approver's handwritten signature
    )
    return pdf.pdf_bytes()
